package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.List;

/**
 * Rooms, their ids and their messages: on disk in an embedded database ({@code store.sql.SqliteStore}), in
 * PostgreSQL for a cluster ({@code store.sql.PostgresStore}), or in memory ({@link MemoryMessageLog} alone,
 * {@code cluster.HazelcastMessageLog} in a cluster). A store that cannot reach its database fails with
 * {@code unavailable} ({@code protocol.ErrorCode.UNAVAILABLE}).
 */
public interface MessageLog {

  /**
   * Stores a message under the room's next id, unless the sender used {@code cid} (if not null) in this room
   * before; completes once it is durable (committed, or backed up in memory mode).
   */
  Future<Appended> append(String room, String from, String text, String cid, long ts);

  /** The newest {@code limit} messages with an id below {@code before} (null: all), oldest first. */
  Future<Slice> before(String room, Long before, int limit);

  /** The newest {@code limit} messages with an id above {@code since}, oldest first. */
  Future<Slice> after(String room, long since, int limit);

  /** The messages with ids {@code firstId..lastId} that the room still keeps, oldest first. */
  Future<Slice> between(String room, long firstId, long lastId);

  /** The room's newest id, 0 when it has none (or does not exist: nothing is created). */
  Future<Long> lastId(String room);

  /** The room's record, or null if it does not exist (nothing is created). */
  Future<RoomRecord> room(String room);

  /**
   * The room's record, created (with a new epoch) if it does not exist and fewer than {@code maxRooms} rooms exist;
   * null when the cap forbids creating it. A public room.
   */
  default Future<RoomRecord> createRoom(String room, int maxRooms) {
    return createRoom(room, maxRooms, RoomKind.PUBLIC, List.of());
  }

  /**
   * Likewise, of {@code kind}, with its access list made in the same transaction: for {@link RoomKind#PRIVATE}
   * {@code members} holds one nick, its owner (record's {@code owner}, access role {@link Access#OWNER}); for
   * {@link RoomKind#DIRECT} the two users ({@link Access#MEMBER} both, no owner); for public rooms at most one nick,
   * its creator, who owns it (record's {@code owner}; no access list). A room
   * that exists already is returned as it is (its kind and access list untouched).
   */
  Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members);

  /** Up to {@code limit} public rooms by name, after {@code after} (null: from the first). */
  default Future<List<RoomRecord>> rooms(String after, int limit) {
    return rooms(null, after, limit);
  }

  /**
   * Up to {@code limit} rooms by name after {@code after} (null: from the first) that {@code nick} may see: every
   * public room, and the private and direct rooms where {@code nick} has any access (owner, member, invited).
   * {@code nick} null: public rooms only.
   */
  Future<List<RoomRecord>> rooms(String nick, String after, int limit);

  // ---- changes to a room: edits, deletions, reactions, moderation ------------------------------------------------

  /**
   * Stores {@code change} as a room event under the room's next id ({@link RoomChanges#event}), and in the same
   * transaction applies it: to its target message ({@link RoomChanges#apply}: the message's text and
   * {@code edited}/{@code deleted}/{@code reactions} as history shows them from then on; a deletion also empties the
   * text of the message's earlier edits, {@link RoomChanges#redacted}), or to member {@code nick}'s
   * {@link Standing} ({@link RoomChanges#standing}). Fails with the {@code ProtocolException} {@code apply} throws
   * (nothing stored), or {@code unavailable}. The room exists (a join created it).
   */
  Future<Changed> change(String room, RoomChange change);

  /** {@code nick}'s standing in {@code room} ({@link Standing#NONE} when none is kept); bans and mutes as stored. */
  Future<Standing> standing(String room, String nick);

  /** Every nick with a standing in {@code room} (role, ban or mute), as stored. */
  Future<java.util.Map<String, Standing>> standings(String room);

  /** A stored change: its event and, for a change about a message, the message's new state (else null). */
  record Changed(ChatMessage event, ChatMessage target) {
  }

  // ---- access to private and direct rooms, read markers -----------------------------------------------------------

  /** {@code nick}'s access to {@code room}, or null when it has none (always null for a public room's list). */
  Future<Access> access(String room, String nick);

  /** {@code nick}'s access to each of {@code rooms} where it has one (rooms without are absent). */
  Future<java.util.Map<String, Access>> accessOf(String nick, List<String> rooms);

  /** A room's access list: nick to access, every nick that has one. */
  Future<java.util.Map<String, Access>> accessList(String room);

  /**
   * Gives {@code nick} access {@code access} to {@code room}, never lowering it: an {@link Access#INVITED} nick that
   * is a member or owner stays so; {@link Access#MEMBER} turns an invitation into membership. Returns the access
   * before (null: it had none).
   */
  Future<Access> grant(String room, String nick, Access access);

  /** Takes {@code nick}'s access to {@code room} away; true when it had one. */
  Future<Boolean> revoke(String room, String nick);

  /**
   * Moves {@code nick}'s read marker in {@code room} to {@code id}, never backwards: returns the marker afterwards
   * (the larger of the stored one and {@code id}).
   */
  Future<Long> markRead(String room, String nick, long id);

  /** {@code nick}'s read marker in each of {@code rooms} that has one (others absent: nothing read, 0). */
  Future<java.util.Map<String, Long>> readMarkers(String nick, List<String> rooms);

  /** A nick's access to a private or direct room, as stored ({@code owner}, {@code member}, {@code invited}). */
  enum Access {
    OWNER, MEMBER, INVITED;

    private final String code = name().toLowerCase(java.util.Locale.ROOT);

    public String code() {
      return code;
    }

    /** Whether it lets the nick read and write the room (an invitation only lets it join). */
    public boolean member() {
      return this != INVITED;
    }

    public static Access fromCode(String code) {
      for (Access access : values()) {
        if (access.code.equals(code)) {
          return access;
        }
      }
      throw new IllegalArgumentException("no access '" + code + "'");
    }
  }

  /**
   * Settles the sends a dead node left in flight (memory mode in a cluster, where dedup is not transactional):
   * returns how many. Stores that dedup in their transaction have none.
   */
  default Future<Integer> settleSendsOf(String nodeId) {
    return Future.succeededFuture(0);
  }

  /**
   * Drops messages older than {@code retentionDays} (0: no limit) and all but the newest {@code maxPerRoom} of each
   * room (0: no limit). Returns how many. The memory stores keep {@code HISTORY_SIZE} per room anyway.
   */
  default Future<Long> prune(int retentionDays, int maxPerRoom) {
    return Future.succeededFuture(0L);
  }

  /** Whether the store can reach its database now (always, in memory): what {@code /ready} reports. */
  default boolean available() {
    return true;
  }

  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Messages and the room's newest id at the time they were read. */
  record Slice(List<ChatMessage> messages, long lastId) {
  }
}
