package io.parley.common;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Runs asynchronous steps one after another: each starts once the previous one's future has completed, whether
 * it succeeded or failed. A connection's requests go through one, so they take effect in the order it made them
 * even though the stores answer asynchronously. Not thread-safe: use it from one context.
 */
public final class SerialQueue {

  private Future<?> tail = Future.succeededFuture();

  /** Runs {@code step} after the steps queued before it; a step that throws fails its future. */
  public <T> Future<T> run(Supplier<Future<T>> step) {
    Future<T> result = tail.transform(previous -> {
      try {
        return step.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    tail = result;
    return result;
  }
}
