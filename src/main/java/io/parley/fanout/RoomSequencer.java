package io.parley.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts one room's events in the order a node hands them out: messages by id, each once, from the room's
 * baseline on; presence and typing as they come. In a cluster, messages stored on different nodes can arrive out
 * of order, or not at all if their node died between storing and publishing: an early message is held until its
 * predecessors arrive or are read from history ({@link #gap()}, {@link #filled}), and what history cannot supply
 * is skipped, so that the room is never held back for good.
 *
 * <p>Pure: no timers, no I/O; {@link RoomFanout} decides when to ask history. Not thread-safe.
 */
public final class RoomSequencer {

  /** The next message id to hand out; 0 until the baseline is known. */
  private long next;
  private final TreeMap<Long, RoomEvent> early = new TreeMap<>();

  /** Whether the room's baseline is known (messages are held until it is). */
  public boolean hasBaseline() {
    return next > 0;
  }

  /** The next message id to hand out (0 before the baseline). */
  public long next() {
    return next;
  }

  /**
   * Sets the baseline: the room's newest id when the node started serving it. Every later message is handed out;
   * held ones at or below it are dropped. Returns what is now ready, in order. A second baseline is ignored.
   */
  public List<RoomEvent> baseline(long lastId) {
    if (next > 0) {
      return List.of();
    }
    next = lastId + 1;
    return drain();
  }

  /** An arriving event; returns the events now ready, in order (a message already handed out is dropped). */
  public List<RoomEvent> offer(RoomEvent event) {
    if (!event.isMessage()) {
      return List.of(event);
    }
    if (next > 0 && event.id() < next) {
      return List.of(); // a duplicate
    }
    early.putIfAbsent(event.id(), event);
    return drain();
  }

  /** Whether messages are held, waiting for an earlier one or for the baseline. */
  public boolean holding() {
    return !early.isEmpty();
  }

  /**
   * What to read from history, as {@code [from, to]}: from the next id to hand out up to the last one held, so that
   * one read fills every gap among the held messages (on the majority side of a split, the other side's messages
   * leave a gap every few ids; one read per gap, each after {@code GAP_FILL_MS}, would fall further behind with
   * each). Null if nothing is missing (or no baseline yet). The held ones in the range are read again and ignored.
   */
  public long[] gap() {
    if (next == 0 || early.isEmpty() || early.firstKey() <= next) {
      return null;
    }
    return new long[] {next, early.lastKey() - 1};
  }

  /**
   * History's answer for the ids {@code from..to} of a {@link #gap()}: what it found is handed out in order; the ids
   * it does not hold (older than the room keeps) are skipped. A read that failed is not an answer: ask again.
   * Returns what is ready.
   */
  public List<RoomEvent> filled(long from, long to, List<RoomEvent> found) {
    for (RoomEvent event : found) {
      if (event.isMessage() && event.id() >= Math.max(from, next) && event.id() <= to) {
        early.putIfAbsent(event.id(), event);
      }
    }
    // Skip only what was asked for: ids missing past `to` (or a gap that opened meanwhile) get their own read.
    List<RoomEvent> ready = new ArrayList<>();
    while (true) {
      if (next >= from && next <= to && !early.containsKey(next)) {
        next = early.isEmpty() ? to + 1 : Math.min(early.firstKey(), to + 1);
      }
      List<RoomEvent> more = drain();
      if (more.isEmpty()) {
        return ready;
      }
      ready.addAll(more);
    }
  }

  private List<RoomEvent> drain() {
    if (next == 0 || early.isEmpty() || early.firstKey() > next) {
      return List.of();
    }
    List<RoomEvent> ready = new ArrayList<>(early.size());
    while (!early.isEmpty() && early.firstKey() <= next) {
      Map.Entry<Long, RoomEvent> first = early.pollFirstEntry();
      if (first.getKey() == next) {
        ready.add(first.getValue());
        next++;
      }
    }
    return ready;
  }
}
