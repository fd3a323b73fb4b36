package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The message log of a node that runs alone with {@code STORAGE=memory}: a {@link RoomHistory} of the newest
 * {@code HISTORY_SIZE} messages per room, in memory, forgotten when the process ends. Bounded by {@code MAX_ROOMS}.
 * Confined to the chat verticle's event loop.
 */
public final class MemoryMessageLog implements MessageLog {

  private final int historySize;
  private final CidDedup dedup;
  private final TreeMap<String, Room> rooms = new TreeMap<>();

  private static final class Room {
    final RoomHistory history;
    RoomRecord record;

    Room(RoomHistory history, RoomRecord record) {
      this.history = history;
      this.record = record;
    }
  }

  public MemoryMessageLog(int historySize, long dedupWindowMs) {
    this.historySize = historySize;
    this.dedup = new CidDedup(new MemoryCidStore(), dedupWindowMs);
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    return dedup.append(room, from, cid, () -> {
      Room kept = rooms.computeIfAbsent(room, r -> newRoom(r, ts));
      ChatMessage message = new ChatMessage(room, kept.history.nextId(), from, text, ts, cid);
      kept.history.append(message);
      RoomRecord record = kept.record;
      kept.record = new RoomRecord(room, record.epoch(), record.created(), message.id(), ts);
      return Future.succeededFuture(message);
    });
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return slice(room, history -> history.before(before, limit));
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return slice(room, history -> history.after(since, limit));
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return slice(room, history -> history.between(firstId, lastId));
  }

  @Override
  public Future<Long> lastId(String room) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null ? 0L : kept.history.lastId());
  }

  @Override
  public Future<RoomRecord> room(String room) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null ? null : kept.record);
  }

  /** A room's history begins in this process: a new epoch per room and process. */
  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms) {
    Room kept = rooms.get(room);
    if (kept == null && rooms.size() >= maxRooms) {
      return Future.succeededFuture(null);
    }
    return Future.succeededFuture(rooms.computeIfAbsent(room, r -> newRoom(r, System.currentTimeMillis())).record);
  }

  @Override
  public Future<List<RoomRecord>> rooms(String after, int limit) {
    Map<String, Room> tail = after == null ? rooms : rooms.tailMap(after, false);
    List<RoomRecord> page = new ArrayList<>(Math.min(limit, tail.size()));
    for (Room kept : tail.values()) {
      if (page.size() == limit) {
        break;
      }
      page.add(kept.record);
    }
    return Future.succeededFuture(page);
  }

  private Room newRoom(String room, long now) {
    return new Room(new RoomHistory(historySize), new RoomRecord(room, Epochs.next(), now, 0, now));
  }

  private Future<Slice> slice(String room, Function<RoomHistory, List<ChatMessage>> read) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null
        ? new Slice(List.of(), 0)
        : new Slice(read.apply(kept.history), kept.history.lastId()));
  }
}
