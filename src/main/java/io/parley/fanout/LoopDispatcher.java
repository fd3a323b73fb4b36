package io.parley.fanout;

import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop's end of the fan-out: the loop's listeners of each room, and the events waiting for them. The
 * fan-out queues each event once per loop that has listeners of its room ({@link #queue}, from any thread); the loop
 * hands out what is queued in batches, flushing each listener once a batch: as the batch's last event reaches it if
 * it is one of its room's, else at the end. A task makes at most {@link #DELIVERIES_PER_TASK} deliveries; a batch
 * bigger than that goes on in the next task, after the loop's I/O. When the node keeps up, that is one event and one
 * flush per socket; under load, several events leave a socket in one write.
 * With {@code WRITE_DELAY_MS}, the flush waits that long, gathering the events of several tasks into one write.
 *
 * <p>The listener sets are confined to the loop; only the queue is shared.
 */
final class LoopDispatcher {

  private static final RoomListener[] NONE = {};
  /** Events handed out together in one batch: a socket is flushed once for them all. */
  private static final int EVENTS_PER_BATCH = 32;
  /**
   * Deliveries one task makes before it lets the loop's other work run: about 1 ms of writes. A room of 1,000 on one
   * loop is handed out in 8 tasks, with the loop's I/O in between (see {@link #continueAfterIo}).
   */
  static final int DELIVERIES_PER_TASK = 128;

  private final ContextInternal context;
  private final ParleyMetrics metrics;
  private final Queue<RoomEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Copied on change, so that a listener that leaves while the loop hands out does not disturb the iteration. */
  private final Map<String, RoomListener[]> listeners = new HashMap<>();
  private final List<RoomListener> unflushed = new ArrayList<>();
  /** WRITE_DELAY_MS: 0 flushes at the end of each task; else a timer flushes what the tasks of that time wrote. */
  private final long writeDelayMs;
  private boolean flushTimerSet;
  /** Events of the batch under way: those handed out one after the other, up to {@link #EVENTS_PER_BATCH}. */
  private int batched;
  /** The event being handed out across tasks, its listeners as they were when it began, and the next one's index. */
  private RoomEvent current;
  private RoomListener[] currentListeners = NONE;
  private int next;
  private boolean flushAsWritten;
  /** Listeners of the current event's room that left while it was handed out. */
  private final Set<RoomListener> leftDuringEvent = Collections.newSetFromMap(new IdentityHashMap<>());

  LoopDispatcher(ContextInternal context, ParleyMetrics metrics, long writeDelayMs) {
    this.context = context;
    this.metrics = metrics;
    this.writeDelayMs = writeDelayMs;
  }

  Context context() {
    return context;
  }

  /** On the loop: adds a listener of {@code room}. */
  void add(String room, RoomListener listener) {
    RoomListener[] current = listeners.getOrDefault(room, NONE);
    RoomListener[] more = Arrays.copyOf(current, current.length + 1);
    more[current.length] = listener;
    listeners.put(room, more);
  }

  /** On the loop: removes a listener of {@code room}; false if it was not one. */
  boolean remove(String room, RoomListener listener) {
    RoomListener[] present = listeners.get(room);
    int index = present == null ? -1 : indexOf(present, listener);
    if (index < 0) {
      return false;
    }
    if (current != null && current.room().equals(room)) {
      leftDuringEvent.add(listener); // the event being handed out skips it: nothing reaches a room's leaver
    }
    if (present.length == 1) {
      listeners.remove(room);
    } else {
      RoomListener[] fewer = new RoomListener[present.length - 1];
      System.arraycopy(present, 0, fewer, 0, index);
      System.arraycopy(present, index + 1, fewer, index, present.length - index - 1);
      listeners.put(room, fewer);
    }
    return true;
  }

  /** From the fan-out: an event for this loop's listeners of its room. */
  void queue(RoomEvent event) {
    queue.add(event);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> handOut());
    }
  }

  private void handOut() {
    scheduled.set(false); // before polling: what is queued from now on schedules another task
    int budget = DELIVERIES_PER_TASK;
    int deliveries = 0;
    while (budget > 0) {
      if (current == null) {
        RoomEvent event = batched < EVENTS_PER_BATCH ? queue.poll() : null;
        if (event == null) {
          break;
        }
        batched++;
        current = event;
        currentListeners = listeners.getOrDefault(event.room(), NONE);
        next = 0;
        // The batch's last event flushes each socket as it goes: its first member need not wait for the writes to
        // all the others (about 1 ms in a room of 1,000), and a socket's earlier events of the batch leave with it.
        flushAsWritten = writeDelayMs == 0 && (batched == EVENTS_PER_BATCH || queue.isEmpty());
      }
      int end = Math.min(currentListeners.length, next + budget);
      budget -= end - next;
      for (; next < end; next++) {
        RoomListener listener = currentListeners[next];
        if (!leftDuringEvent.isEmpty() && leftDuringEvent.contains(listener)) {
          continue;
        }
        deliveries++;
        boolean wrote = listener.onRoomEvent(current);
        if (flushAsWritten) {
          listener.flush(); // a no-op if it has nothing waiting
        } else if (wrote) {
          unflushed.add(listener);
        }
      }
      if (next == currentListeners.length) {
        current = null;
        currentListeners = NONE;
        leftDuringEvent.clear();
      }
    }
    metrics.delivered(deliveries);
    if (current == null) {
      endBatch();
    }
    if ((current != null || !queue.isEmpty()) && scheduled.compareAndSet(false, true)) {
      continueAfterIo();
    }
  }

  /**
   * A batch's events are handed out: each socket they wrote to is flushed now, unless {@code WRITE_DELAY_MS} holds
   * the flush. A batch may span several tasks (a big room); the sockets are not flushed between them, so that those
   * with two events of the batch send both in one write, as they would without the pause.
   */
  private void endBatch() {
    batched = 0;
    if (writeDelayMs == 0) {
      flush();
    } else if (!flushTimerSet && !unflushed.isEmpty()) {
      flushTimerSet = true;
      context.owner().setTimer(writeDelayMs, id -> {
        flushTimerSet = false;
        flush();
      });
    }
  }

  /**
   * Hands out the rest after the loop's pending I/O and tasks: a task queued now would run before them (Netty runs its
   * task queue to the end between two polls), but a scheduled one waits for the next poll. So a message that arrives
   * while a room of thousands is written waits for one task's writes, not for the whole room's; its acknowledgement
   * and its store's commit go on meanwhile (the events stay in order: only this dispatcher's task hands them out).
   */
  private void continueAfterIo() {
    context.nettyEventLoop().schedule(() -> context.emit(v -> handOut()), 0, TimeUnit.NANOSECONDS);
  }

  /** Each listener that wrote since the last flush, once (a listener says so only on its first unflushed write). */
  private void flush() {
    for (RoomListener listener : unflushed) {
      listener.flush();
    }
    unflushed.clear();
  }

  private static int indexOf(RoomListener[] listeners, RoomListener listener) {
    for (int i = 0; i < listeners.length; i++) {
      if (listeners[i] == listener) {
        return i;
      }
    }
    return -1;
  }
}
