package io.parley.fanout;

import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop's end of the fan-out: the loop's listeners of each room, and the events waiting for them. The
 * fan-out queues each event once per loop that has listeners of its room ({@link #queue}, from any thread); one task
 * on the loop hands out everything queued by the time it runs, flushing each listener once: at the task's last event
 * if it is one of its room's, else at the end. When the node keeps up, that is one event and one flush per socket;
 * under load, several events leave a socket in one write.
 * With {@code WRITE_DELAY_MS}, the flush waits that long, gathering the events of several tasks into one write.
 *
 * <p>The listener sets are confined to the loop; only the queue is shared.
 */
final class LoopDispatcher {

  private static final RoomListener[] NONE = {};
  /** Events one task hands out before it flushes and lets the loop's other work run. */
  private static final int EVENTS_PER_TASK = 32;

  private final Context context;
  private final ParleyMetrics metrics;
  private final Queue<RoomEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Copied on change, so that a listener that leaves while the loop hands out does not disturb the iteration. */
  private final Map<String, RoomListener[]> listeners = new HashMap<>();
  private final List<RoomListener> unflushed = new ArrayList<>();
  /** WRITE_DELAY_MS: 0 flushes at the end of each task; else a timer flushes what the tasks of that time wrote. */
  private final long writeDelayMs;
  private boolean flushTimerSet;

  LoopDispatcher(Context context, ParleyMetrics metrics, long writeDelayMs) {
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
    RoomListener[] current = listeners.get(room);
    int index = current == null ? -1 : indexOf(current, listener);
    if (index < 0) {
      return false;
    }
    if (current.length == 1) {
      listeners.remove(room);
    } else {
      RoomListener[] fewer = new RoomListener[current.length - 1];
      System.arraycopy(current, 0, fewer, 0, index);
      System.arraycopy(current, index + 1, fewer, index, current.length - index - 1);
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
    RoomEvent event;
    int handed = 0;
    int deliveries = 0;
    while (handed++ < EVENTS_PER_TASK && (event = queue.poll()) != null) {
      // The task's last event flushes each socket as it goes: its first member need not wait for the writes to all
      // the others (about 1 ms in a room of 1,000), and a socket's earlier events of this task leave with it.
      boolean last = writeDelayMs == 0 && (handed == EVENTS_PER_TASK || queue.isEmpty());
      for (RoomListener listener : listeners.getOrDefault(event.room(), NONE)) {
        deliveries++;
        boolean wrote = listener.onRoomEvent(event);
        if (last) {
          listener.flush(); // a no-op if it has nothing waiting
        } else if (wrote) {
          unflushed.add(listener);
        }
      }
    }
    metrics.delivered(deliveries);
    if (writeDelayMs == 0) {
      flush();
    } else if (!flushTimerSet && !unflushed.isEmpty()) {
      flushTimerSet = true;
      context.owner().setTimer(writeDelayMs, id -> {
        flushTimerSet = false;
        flush();
      });
    }
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> handOut());
    }
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
