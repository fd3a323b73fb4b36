package io.parley.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Hazelcast's asynchronous answers as Vert.x futures, completed on the caller's context.
 *
 * <p>Not {@code Future.fromCompletionStage(stage, context)}: it registers {@code whenComplete}, which Hazelcast runs
 * through its default asynchronous executor, and where the JDK's common pool has fewer than two threads (two CPUs or
 * fewer: a container's quota, {@code taskset}) that executor is {@code new Thread(task).start()}, as the JDK's
 * {@code CompletableFuture} does without a common pool. Every store operation then started a thread: 1,218 in one
 * benchmark node's 90 s. Here the callback is handed straight to the context instead, whatever the CPUs. (Hazelcast's
 * {@code submitToKeys} still combines its per-member answers through that executor inside: one thread per call, as
 * rare as a rooms listing.)
 */
final class HazelcastFutures {

  private HazelcastFutures() {
  }

  /** {@code stage}'s outcome on the context of the calling thread (an event loop's, or a worker's). */
  static <T> Future<T> onContext(Vertx vertx, CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    // Bound to the context: a listener added later, from anywhere, still runs there.
    Promise<T> promise = ((ContextInternal) context).promise();
    Executor onContext = task -> context.runOnContext(v -> task.run());
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        promise.complete(value);
      } else {
        boolean wrapped = failure instanceof CompletionException && failure.getCause() != null;
        promise.fail(wrapped ? failure.getCause() : failure);
      }
    }, onContext);
    return promise.future();
  }
}
