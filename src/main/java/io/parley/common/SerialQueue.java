package io.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Runs asynchronous steps one after another: each starts once the previous one's future has completed, whether
 * it succeeded or failed. A connection's requests go through one, so they take effect in the order it made them
 * even though the stores answer asynchronously. The steps wait in a queue, served in a loop (not a chain of
 * futures, which would unwind recursively through every waiting step), and {@link #waiting()} says how many there
 * are, for a caller that bounds them. Not thread-safe: use it from one context.
 */
public final class SerialQueue {

  private record Step<T>(Supplier<Future<T>> work, Promise<T> done) {
    void run() {
      Future<T> outcome;
      try {
        outcome = work.get();
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(done);
    }
  }

  private final ArrayDeque<Step<?>> steps = new ArrayDeque<>();
  private boolean running;

  /** Runs {@code step} after the steps queued before it; a step that throws fails its future. */
  public <T> Future<T> run(Supplier<Future<T>> step) {
    Promise<T> done = Promise.promise();
    steps.add(new Step<>(step, done));
    if (!running) {
      drain();
    }
    return done.future();
  }

  /** Steps queued and not started yet. */
  public int waiting() {
    return steps.size();
  }

  /** Starts steps while each completes at once; one still under way resumes the loop when it completes. */
  private void drain() {
    running = true;
    while (!steps.isEmpty()) {
      Step<?> step = steps.poll();
      step.run();
      if (!step.done().future().isComplete()) {
        step.done().future().onComplete(v -> drain());
        return;
      }
    }
    running = false;
  }

  /** Drops the steps not started yet (their futures never complete): for a connection that is closing. */
  public void clear() {
    steps.clear();
  }
}
