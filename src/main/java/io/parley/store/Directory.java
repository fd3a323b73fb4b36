package io.parley.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Who holds which nick and who is in which room: node-wide when a node runs alone
 * ({@link MemoryDirectory}), cluster-wide otherwise ({@code cluster.HazelcastDirectory}).
 *
 * <p>Each room has a membership version, +1 with every join or leave, assigned atomically with the change. A room
 * that had no members starts at {@link #firstVersion}, from the clock: a room that emptied and filled again must not
 * repeat versions a client already saw (it would drop the new presence as old), and the directory keeps no trace of
 * rooms without members. A {@code presence} frame carries the version its change made; a join snapshot the
 * version its member list is at. A client drops presence it has already seen in a snapshot, as it drops
 * messages by id.
 */
public interface Directory {

  /**
   * The version before the first join of a room without members: the time in milliseconds times 1,024, above every
   * version of an earlier spell of members unless it made over a million changes a second (or the clocks of the
   * nodes that made the two spells differ by more than the time between them). Below 2^53: exact in JavaScript.
   */
  static long firstVersion(long nowMillis) {
    return nowMillis * 1024;
  }

  /** Claims a nick for a connection of this node; false when another connection anywhere holds it. */
  Future<Boolean> claimNick(String nick);

  Future<Void> releaseNick(String nick);

  /** Adds a nick to a room: the members afterwards (sorted), whether the nick is new there, and the version. */
  Future<Membership> join(String room, String nick);

  /**
   * Removes a nick from a room: the version its removal made, or 0 when it was not there. A room left empty is
   * forgotten (its next member starts again at {@link #firstVersion}): the directory holds only rooms with members.
   */
  Future<Long> leave(String room, String nick);

  /** The member count of each of {@code rooms} (0 for a room without members). */
  Future<Map<String, Integer>> memberCounts(List<String> rooms);

  /** Forgets what a dead node held: its nicks, and its members of each room (returned, to announce). */
  Future<Map<String, List<Departure>>> purgeNode(String nodeId);

  /** A room's members after a join, whether the join added the nick, and the membership version then. */
  record Membership(List<String> members, boolean added, long version) {
  }

  /** A nick that left a room, and the membership version its leaving made. Serializable: Hazelcast returns it. */
  record Departure(String nick, long version) implements java.io.Serializable {
  }
}
