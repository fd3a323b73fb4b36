package io.parley.store.sql;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Appended;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit: sends wait while a transaction is under way and then go together in the next one, so that a burst of
 * sends costs one commit (one fsync) instead of one each, and a lone send goes at once. At most
 * {@code COMMIT_BATCH_MAX} per transaction; past {@code COMMIT_QUEUE_MAX} waiting, a send is refused
 * ({@code unavailable}) rather than queued without end. Confined to the context it was made on (the chat verticle's).
 */
public final class GroupCommit {

  private record Waiting(AppendPlan.Send send, Promise<Appended> result) {
  }

  private final ContextInternal context;
  private final Function<List<AppendPlan.Send>, Future<List<Appended>>> commit;
  private final int maxBatch;
  private final int maxQueue;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private boolean committing;

  /** {@code commit}: one transaction for a batch, whose results are in the batch's order. */
  public GroupCommit(ContextInternal context, Function<List<AppendPlan.Send>, Future<List<Appended>>> commit,
      int maxBatch, int maxQueue) {
    this.context = context;
    this.commit = commit;
    this.maxBatch = maxBatch;
    this.maxQueue = maxQueue;
  }

  /** Queues a send for the next transaction; completes once that transaction committed (or failed). */
  public Future<Appended> submit(AppendPlan.Send send) {
    if (queue.size() >= maxQueue) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
          "too many messages waiting to be stored; try again"));
    }
    Promise<Appended> result = context.promise();
    queue.add(new Waiting(send, result));
    if (!committing) {
      next();
    }
    return result.future();
  }

  /** How many sends wait for a transaction. */
  public int waiting() {
    return queue.size();
  }

  private void next() {
    if (queue.isEmpty()) {
      committing = false;
      return;
    }
    committing = true;
    List<Waiting> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(queue.poll());
    }
    Future<List<Appended>> committed;
    try {
      committed = commit.apply(batch.stream().map(Waiting::send).toList());
    } catch (RuntimeException e) {
      committed = Future.failedFuture(e);
    }
    committed.onComplete(done -> context.runOnContext(v -> {
      try {
        for (int i = 0; i < batch.size(); i++) {
          if (done.succeeded()) {
            batch.get(i).result().complete(done.result().get(i));
          } else {
            batch.get(i).result().fail(done.cause());
          }
        }
      } finally {
        next(); // whatever went wrong above, the queue moves on
      }
    }));
  }
}
