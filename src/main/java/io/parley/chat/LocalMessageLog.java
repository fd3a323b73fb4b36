package io.parley.chat;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;

/** The message log of a node that runs alone: a {@link RoomHistory} per room, in memory. */
public final class LocalMessageLog implements MessageLog {

  private final int historySize;
  private final Map<String, RoomHistory> rooms = new HashMap<>();

  public LocalMessageLog(int historySize) {
    this.historySize = historySize;
  }

  @Override
  public Future<ChatMessage> append(String room, String from, String text, String cid, long ts) {
    RoomHistory history = rooms.computeIfAbsent(room, r -> new RoomHistory(historySize));
    ChatMessage message = new ChatMessage(room, history.nextId(), from, text, ts, cid);
    history.append(message);
    return Future.succeededFuture(message);
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null
        ? new Slice(java.util.List.of(), 0)
        : new Slice(history.before(before, limit), history.lastId()));
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null
        ? new Slice(java.util.List.of(), 0)
        : new Slice(history.after(since, limit), history.lastId()));
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null
        ? new Slice(java.util.List.of(), 0)
        : new Slice(history.between(firstId, lastId), history.lastId()));
  }

  @Override
  public Future<Long> lastId(String room) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null ? 0L : history.lastId());
  }
}
