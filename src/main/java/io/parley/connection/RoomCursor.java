package io.parley.connection;

import io.parley.fanout.RoomEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's place in a room it follows: which events it has seen, and so which of the room's events still
 * reach it. This is the join merge of docs/PROTOCOL.md ("Joining: the snapshot and the live stream"), which
 * {@code webroot/app.js} does for itself on the bridge:
 * <ol>
 *   <li>While a join is in flight, the room's live events are held ({@link #offer} returns false).</li>
 *   <li>The join's snapshot says where the client is: its {@code lastId} and {@code membersVersion}
 *       ({@link #joined}). Held events are then let through, in order, by the rule below.</li>
 *   <li>The rule: a message passes if its id is above the last one seen (and becomes the last one seen); a presence
 *       or count passes if its version is above the snapshot's; the client's own presence and typing never pass. Presence of
 *       different nicks may arrive out of version order across nodes (they commute), so the snapshot's version, not
 *       the highest seen, is the filter.</li>
 * </ol>
 * A {@link #stream()} cursor lets everything through: bridge clients receive the room's stream as it is and merge
 * it themselves. Pure; confined to its connection's event loop.
 */
public final class RoomCursor {

  private final boolean merged;
  private long lastId;
  private long membersVersion;
  private List<RoomEvent> pending; // non-null while a join is in flight

  private RoomCursor(boolean merged) {
    this.merged = merged;
  }

  /** A cursor for a join in flight, which merges the live stream with the join's snapshot. */
  public static RoomCursor joining() {
    RoomCursor cursor = new RoomCursor(true);
    cursor.pending = new ArrayList<>();
    return cursor;
  }

  /** A cursor that passes the room's stream as it is. */
  public static RoomCursor stream() {
    return new RoomCursor(false);
  }

  /** Another join of a room already followed (a resync): live events are held again until its snapshot. */
  public void rejoin() {
    if (merged && pending == null) {
      pending = new ArrayList<>();
    }
  }

  public boolean isJoining() {
    return pending != null;
  }

  /** A live event: true if it should be written now; false if it is held (a join in flight) or filtered out. */
  public boolean offer(RoomEvent event, String self) {
    if (!merged) {
      return true;
    }
    if (pending != null) {
      pending.add(event);
      return false;
    }
    return admits(event, self);
  }

  /** The join's snapshot arrived: returns the held events that pass, in order; live events pass from now on. */
  public List<RoomEvent> joined(long snapshotLastId, long snapshotMembersVersion, String self) {
    lastId = Math.max(lastId, snapshotLastId);
    membersVersion = Math.max(membersVersion, snapshotMembersVersion);
    return release(self);
  }

  /** The join failed: the held events that pass against what the connection had seen before, in order. */
  public List<RoomEvent> joinFailed(String self) {
    return release(self);
  }

  /**
   * A message the connection asked for again (a repeated {@code cid}): true if it should be written, which it is only
   * as the very next id; anything else is the room stream's to deliver, in order.
   */
  public boolean offerEcho(RoomEvent message) {
    return merged && pending == null && message.id() == lastId + 1 && admits(message, null);
  }

  /** The highest message id written (or covered by a snapshot). */
  public long lastId() {
    return lastId;
  }

  private List<RoomEvent> release(String self) {
    List<RoomEvent> held = pending == null ? List.of() : pending;
    pending = null;
    List<RoomEvent> passing = new ArrayList<>(held.size());
    for (RoomEvent event : held) {
      if (admits(event, self)) {
        passing.add(event);
      }
    }
    return passing;
  }

  private boolean admits(RoomEvent event, String self) {
    if (event.isMessage()) {
      if (event.id() <= lastId) {
        return false; // in the snapshot already, or written
      }
      lastId = event.id();
      return true;
    }
    if (event.isMembership() && event.version() <= membersVersion) {
      return false; // a change the snapshot's member list (or count) already shows
    }
    // nobody needs to be told that they themselves joined or are typing; a count names nobody
    return event.nick() == null || !event.nick().equals(self);
  }
}
