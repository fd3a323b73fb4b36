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
   * Adds a connection of {@code nick} to a room: whether the user is new there (its first connection in the room),
   * the member count and version afterwards, and its members (sorted): all of them while there are at most
   * {@code fullUpTo}, else the first {@code pageSize} (a big room's joiner pages through the rest, {@link #page}).
   */
  Future<Membership> join(String room, String nick, String connection, int fullUpTo, int pageSize);

  /**
   * Removes a connection of {@code nick} from a room: the version the user's leaving made (0 when it is still there
   * by another connection, or was not there) and the member count afterwards; {@code connection} null removes the
   * user whatever connections it has there. A room left empty is forgotten (its next member starts again at
   * {@link #firstVersion}): the directory holds only rooms with members.
   */
  Future<Left> leave(String room, String nick, String connection);

  /** At most {@code limit} of a room's users after {@code after} (null: from the first), sorted, with its count. */
  Future<Page> page(String room, String after, int limit);

  /** The users in a room now (sorted; empty for a room without members): its presence, for the server API. */
  Future<List<String>> members(String room);

  /** The member count of each of {@code rooms} (0 for a room without members). */
  Future<Map<String, Integer>> memberCounts(List<String> rooms);

  /**
   * Forgets what a dead node held: its nicks, and its members of each room; returns, per room it changed, the
   * departures (to announce) and the members that remain.
   */
  Future<Map<String, Purge>> purgeNode(String nodeId);

  /** The result of the join of one room, {@link RoomMembers#join} as a value. */
  static Membership joinOf(RoomMembers room, String nick, String connection, String node, int fullUpTo,
      int pageSize) {
    boolean added = room.join(nick, connection, node);
    List<String> members = room.count() <= fullUpTo ? room.all() : room.page(null, pageSize);
    return new Membership(members, room.count(), added, room.version());
  }

  /** A page of a room's members ({@code room} null: a room without members, version 0). */
  static Page pageOf(RoomMembers room, String after, int limit) {
    if (room == null) {
      return new Page(List.of(), 0, 0, null);
    }
    List<String> members = room.page(after, limit);
    String next = members.size() == limit && !members.isEmpty()
        && !members.get(members.size() - 1).equals(room.lastNick()) ? members.get(members.size() - 1) : null;
    return new Page(members, room.count(), room.version(), next);
  }

  /** The answer to a claim: granted or not, and the user's guest session (null with a token). */
  record Claim(boolean granted, String session) {
  }

  /**
   * A room after a join: its members (all, or a big room's first page), their count, whether the join added the
   * user, and the membership version then. Serializable: Hazelcast returns it.
   */
  record Membership(List<String> members, int count, boolean added, long version) implements java.io.Serializable {
    /** Whether {@link #members} is only the first page (a big room). */
    public boolean partial() {
      return members.size() < count;
    }
  }

  /** A leave's result: the version the user's leaving made (0: nothing changed) and the count afterwards. */
  record Left(long version, int count) implements java.io.Serializable {
  }

  /** A page of members, the room's count and version then, and the last nick when more follow (else null). */
  record Page(List<String> members, int count, long version, String next) implements java.io.Serializable {
  }

  /** What a dead node's purge did to one room: its departures, and the members that remain. */
  record Purge(List<Departure> departures, int remaining) implements java.io.Serializable {
  }

  /** A nick that left a room, and the membership version its leaving made. Serializable: Hazelcast returns it. */
  record Departure(String nick, long version) implements java.io.Serializable {
  }
}
