package io.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Runs an operation again after a failure, waiting 1 s, then 2 s, and so on, up to a number of attempts. For work
 * that fails only while the cluster settles (Hazelcast re-partitions for a moment after a member dies).
 */
public final class Retry {

  private Retry() {
  }

  /**
   * Runs {@code operation} until it succeeds, at most {@code attempts} times; the result is its last outcome. Each
   * failure but the last is logged at WARN under {@code what}, the last at ERROR.
   */
  public static <T> Future<T> withBackoff(Vertx vertx, int attempts, String what, Logger log,
      Supplier<Future<T>> operation) {
    return withBackoff(vertx, attempts, what, log, failure -> true, operation);
  }

  /** Likewise, retrying only the failures that {@code retryable} accepts; another one is the result at once. */
  public static <T> Future<T> withBackoff(Vertx vertx, int attempts, String what, Logger log,
      java.util.function.Predicate<Throwable> retryable, Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    attempt(vertx, 1, attempts, what, log, retryable, operation, result);
    return result.future();
  }

  private static <T> void attempt(Vertx vertx, int attempt, int attempts, String what, Logger log,
      java.util.function.Predicate<Throwable> retryable, Supplier<Future<T>> operation, Promise<T> result) {
    Future<T> outcome;
    try {
      outcome = operation.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(done -> {
      if (done.succeeded()) {
        result.complete(done.result());
      } else if (attempt < attempts && retryable.test(done.cause())) {
        log.warn("{} failed (attempt {} of {}), retrying: {}", what, attempt, attempts, done.cause().toString());
        vertx.setTimer(1000L * attempt, id -> attempt(vertx, attempt + 1, attempts, what, log, retryable, operation,
            result));
      } else {
        log.error("{} failed (attempt {} of {}), giving up", what, attempt, attempts, done.cause());
        result.fail(done.cause());
      }
    });
  }
}
