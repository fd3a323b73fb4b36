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
   * null when the cap forbids creating it.
   */
  Future<RoomRecord> createRoom(String room, int maxRooms);

  /** Up to {@code limit} rooms by name, after {@code after} (null: from the first). */
  Future<List<RoomRecord>> rooms(String after, int limit);

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
