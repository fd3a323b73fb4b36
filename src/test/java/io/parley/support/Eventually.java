package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread brings about, polling every 20 ms, for at most {@link TestClient#WAIT_SECONDS}. */
public final class Eventually {

  private Eventually() {
  }

  public static void await(Vertx vertx, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      vertx.timer(20).await();
    }
    assertTrue(condition.getAsBoolean(), what);
  }

  /** The result of {@code attempt} once it stops throwing (a limit that frees up asynchronously, say). */
  public static <T> T succeeds(Vertx vertx, java.util.concurrent.Callable<T> attempt, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
    while (true) {
      try {
        return attempt.call();
      } catch (Exception | AssertionError notYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(what + ": still failing after " + TestClient.WAIT_SECONDS + " s", notYet);
        }
        vertx.timer(20).await();
      }
    }
  }
}
