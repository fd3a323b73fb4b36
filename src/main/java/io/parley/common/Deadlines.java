package io.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Answers that must come within a fixed time ({@code timeoutMs}), for many at once: one sweep a tenth of the timeout
 * apart instead of a timer per answer (a send each, thousands a second). Deadlines are all the same length, so the
 * oldest is first in line. Confined to the context it is used on.
 */
public final class Deadlines {

  private record Pending(long deadline, Promise<?> answer, Supplier<Throwable> late) {
  }

  private final Vertx vertx;
  private final long timeoutMs;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private long sweeps = -1;

  public Deadlines(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** {@code work}'s outcome, or the failure {@code late} makes if it has none within the timeout. */
  public <T> Future<T> within(Future<T> work, Supplier<Throwable> late) {
    if (work.isComplete()) {
      return work;
    }
    Promise<T> answer = Promise.promise();
    pending.add(new Pending(System.nanoTime() + timeoutMs * 1_000_000, answer, late));
    work.onComplete(done -> {
      if (done.succeeded()) {
        answer.tryComplete(done.result());
      } else {
        answer.tryFail(done.cause());
      }
    });
    if (sweeps < 0) {
      sweeps = vertx.setPeriodic(Math.max(10, timeoutMs / 10), id -> sweep());
    }
    return answer.future();
  }

  private void sweep() {
    long now = System.nanoTime();
    while (!pending.isEmpty() && (pending.peek().answer().future().isComplete() || pending.peek().deadline() - now <= 0)) {
      Pending first = pending.poll();
      if (!first.answer().future().isComplete()) {
        first.answer().tryFail(first.late().get());
      }
    }
    if (pending.isEmpty()) {
      vertx.cancelTimer(sweeps);
      sweeps = -1;
    }
  }
}
