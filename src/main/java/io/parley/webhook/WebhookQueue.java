package io.parley.webhook;

import io.parley.common.LogThrottle;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat service's side of webhooks: it {@link #offer}s each room event as it publishes it, and never waits. Events
 * are written to the outbox in batches, one batch at a time, so that they reach it in the order offered (a room's
 * order) however slow it is; past {@code WEBHOOK_QUEUE_MAX} waiting (here or in the outbox) new ones are dropped and
 * counted, so that a receiver down for days costs bounded memory and disk. Thread-safe.
 */
public final class WebhookQueue {

  private static final Logger log = LoggerFactory.getLogger(WebhookQueue.class);
  /** Most events written in one batch. */
  private static final int BATCH_MAX = 500;

  private final int max;
  private final ParleyMetrics metrics;
  private final LogThrottle dropLog = LogThrottle.perMinute(1);
  private final LogThrottle writeLog = LogThrottle.perMinute(1);
  private List<WebhookEvent> pending = new ArrayList<>();
  private WebhookOutbox outbox; // null until the delivery has opened it
  private Future<Void> writing; // the batch being written, null when none
  private long stored; // in the outbox, as last counted plus what was added since
  private Runnable onStored = () -> { };

  public WebhookQueue(int max, ParleyMetrics metrics) {
    this.max = max;
    this.metrics = metrics;
  }

  /** Queues {@code event} for delivery; false (and counted) when the queue is full. */
  public boolean offer(WebhookEvent event) {
    synchronized (this) {
      if (pending.size() + stored >= max) {
        metrics.webhookDropped(1);
        long left = dropLog.admit();
        if (left >= 0) {
          log.warn("webhook queue full ({} waiting, WEBHOOK_QUEUE_MAX {}): room events are not queued until the "
              + "receiver catches up{}", pending.size() + stored, max, LogThrottle.note(left));
        }
        return false;
      }
      pending.add(event);
    }
    metrics.webhookQueued();
    write();
    return true;
  }

  /** The delivery's outbox; events offered earlier are written now. */
  void attach(WebhookOutbox outbox, long alreadyStored, Runnable onStored) {
    synchronized (this) {
      this.outbox = outbox;
      this.stored = alreadyStored;
      this.onStored = onStored;
    }
    write();
  }

  /** The delivery has stopped: events offered from now on stay here (and go with the process). */
  synchronized void detach() {
    outbox = null;
  }

  /** The outbox's count, as the delivery last read it (delivered events leave it). */
  synchronized void counted(long inOutbox) {
    stored = inOutbox;
  }

  synchronized void deliveredOne() {
    stored = Math.max(0, stored - 1);
  }

  /** In the outbox, as last counted and kept up to date since (the gauge). */
  synchronized long stored() {
    return stored;
  }

  synchronized int waiting() {
    return pending.size();
  }

  private void write() {
    List<WebhookEvent> batch;
    WebhookOutbox target;
    Promise<Void> batchDone = Promise.promise();
    synchronized (this) {
      if (writing != null || outbox == null || pending.isEmpty()) {
        return;
      }
      target = outbox;
      writing = batchDone.future(); // before the write starts: no second batch may overtake it
      if (pending.size() <= BATCH_MAX) {
        batch = pending;
        pending = new ArrayList<>();
      } else {
        batch = new ArrayList<>(pending.subList(0, BATCH_MAX));
        pending = new ArrayList<>(pending.subList(BATCH_MAX, pending.size()));
      }
    }
    target.add(batch).onComplete(done -> {
      Runnable then;
      synchronized (this) {
        writing = null;
        if (done.succeeded()) {
          stored += batch.size();
        } else {
          // Kept, in front, and tried again with the next event or the delivery's next round.
          batch.addAll(pending);
          pending = batch;
        }
        then = onStored;
      }
      if (done.failed()) {
        long left = writeLog.admit();
        if (left >= 0) {
          log.warn("could not queue {} webhooks (kept in memory, tried again): {}{}", batch.size(),
              done.cause().toString(), LogThrottle.note(left));
        }
      }
      if (done.succeeded()) {
        then.run();
        write();
      }
      batchDone.handle(done);
    });
  }

  /**
   * Writes all that was offered so far, batch after batch; fails at the first batch that could not be written (kept
   * here). The delivery calls it before it closes the outbox: what the chat service accepted must not be lost
   * because the node is stopping.
   */
  Future<Void> flush() {
    write();
    Future<Void> current;
    synchronized (this) {
      current = writing;
    }
    if (current == null) {
      // Nothing being written: either nothing waits, or no outbox is attached (then it cannot be written here).
      return Future.succeededFuture();
    }
    // Composed after write()'s own handler, which has started the next batch by then.
    return current.compose(written -> flush());
  }

  /** Tries again what could not be written (the delivery calls it each round). */
  void retryWrites() {
    write();
  }
}
