package io.parley.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Who holds which nick (a user, with its connections) and who is in which room: node-wide when a node runs alone
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

  /**
   * Claims {@code nick} for {@code connection} of this node ({@link Presence#claim}): a user may hold many
   * connections; another connection becomes that user with a valid token ({@code vouched}) or the user's guest
   * {@code session}. A nick whose last connection went {@code ttlMs} ago is free. Returns the user's guest session
   * when granted (null with a token), or refuses.
   */
  Future<Claim> claimNick(String nick, String connection, String session, boolean vouched, long ttlMs);

  /** {@code connection} of {@code nick} went away; the user keeps its session for the TTL after its last one. */
  Future<Void> releaseNick(String nick, String connection);

  /**
   * Adds a connection of {@code nick} to a room: the members afterwards (sorted users), whether the user is new
   * there (its first connection in the room), and the version.
   */
  Future<Membership> join(String room, String nick, String connection);

  /**
   * Removes a connection of {@code nick} from a room: the version the user's leaving made, or 0 when it is still
   * there by another connection, or was not there; {@code connection} null removes the user whatever connections it
   * has there. A room left empty is forgotten (its next member starts again at {@link #firstVersion}): the
   * directory holds only rooms with members.
   */
  Future<Long> leave(String room, String nick, String connection);

  /** The users in a room now (sorted; empty for a room without members): its presence, for the server API. */
  Future<List<String>> members(String room);

  /** The member count of each of {@code rooms} (0 for a room without members). */
  Future<Map<String, Integer>> memberCounts(List<String> rooms);

  /** Forgets what a dead node held: its nicks, and its members of each room (returned, to announce). */
  Future<Map<String, List<Departure>>> purgeNode(String nodeId);

  /** The answer to a claim: granted or not, and the user's guest session (null with a token). */
  record Claim(boolean granted, String session) {
  }

  /** A room's members after a join, whether the join added the nick, and the membership version then. */
  record Membership(List<String> members, boolean added, long version) {
  }

  /** A nick that left a room, and the membership version its leaving made. Serializable: Hazelcast returns it. */
  record Departure(String nick, long version) implements java.io.Serializable {
  }
}
