package io.parley.chat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntToLongFunction;

/**
 * When a big room's {@code count} frames go out from this node: at most one per interval per room, the latest
 * count in it, and never one older than what the room's clients already have from this node. A count is older when
 * its membership version is not above the highest this node published for the room (as a count, or in a presence
 * frame): joins made on this node complete in the order their directory changes were made, but a count queued for
 * the interval must not follow a presence frame that announced a later version. Pure (the caller keeps the timers
 * and the clock); confined to the chat verticle's event loop.
 */
final class CountThrottle {

  /** A room's member count at a membership version. */
  record Count(int count, long version) {
  }

  /**
   * What to do now: publish {@code publish} (null: nothing), and when {@code checkInMs} is above 0, call
   * {@link #due} that much later.
   */
  record Decision(Count publish, long checkInMs) {
    static final Decision NOTHING = new Decision(null, 0);
  }

  private static final class Room {
    long highest;     // the highest version published for the room
    long publishedAt; // when the last count went out
    Count pending;    // the latest count waiting for the interval
    boolean checking; // a call of due() is scheduled
  }

  private final Map<String, Room> rooms = new HashMap<>();

  /** A big room's count changed (at {@code now}, in ms); {@code intervalMs}: the least time between two counts. */
  Decision changed(String room, Count count, long now, long intervalMs) {
    Room state = rooms.get(room);
    if (state == null) {
      state = new Room();
      state.publishedAt = now - intervalMs;
      rooms.put(room, state);
    }
    if (count.version() <= state.highest) {
      return Decision.NOTHING; // the clients have a later one
    }
    if (state.checking) {
      if (state.pending == null || count.version() > state.pending.version()) {
        state.pending = count;
      }
      return Decision.NOTHING; // due() publishes it
    }
    long wait = state.publishedAt + intervalMs - now;
    state.checking = true;
    if (wait > 0) {
      state.pending = count;
      return new Decision(null, wait);
    }
    publish(state, count, now);
    return new Decision(count, intervalMs);
  }

  /** {@link #due(String, long, IntToLongFunction)} with one interval for every size. */
  Decision due(String room, long now, long intervalMs) {
    return due(room, now, count -> intervalMs);
  }

  /**
   * The interval since the last count passed: the count that waited for it, if any (then another check follows,
   * {@code intervalOf} that count's size later); with none, the room is forgotten until its next change.
   */
  Decision due(String room, long now, IntToLongFunction intervalOf) {
    Room state = rooms.get(room);
    if (state == null) {
      return Decision.NOTHING;
    }
    Count pending = state.pending;
    if (pending == null || pending.version() <= state.highest) {
      rooms.remove(room);
      return Decision.NOTHING;
    }
    publish(state, pending, now);
    return new Decision(pending, intervalOf.applyAsLong(pending.count()));
  }

  /** A presence frame at {@code version} went out for the room: a waiting count not above it is stale. */
  void presence(String room, long version) {
    Room state = rooms.get(room);
    if (state == null) {
      return;
    }
    state.highest = Math.max(state.highest, version);
    if (state.pending != null && state.pending.version() <= version) {
      state.pending = null;
    }
  }

  /** Rooms with a count waiting or just sent (for tests). */
  int rooms() {
    return rooms.size();
  }

  private static void publish(Room state, Count count, long now) {
    state.highest = count.version();
    state.publishedAt = now;
    state.pending = null;
  }
}
