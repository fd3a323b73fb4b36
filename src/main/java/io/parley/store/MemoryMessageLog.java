package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The message log of a node that runs alone: a {@link RoomHistory} per room, in memory. Confined to the chat
 * verticle's event loop.
 */
public final class MemoryMessageLog implements MessageLog {

  private final int historySize;
  private final Map<String, RoomHistory> rooms = new HashMap<>();
  private final Map<String, String> epochs = new HashMap<>();

  public MemoryMessageLog(int historySize) {
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
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null ? 0L : history.lastId());
  }

  /** A room's history begins in this process: a new epoch per room and process. */
  @Override
  public Future<String> epoch(String room) {
    return Future.succeededFuture(epochs.computeIfAbsent(room, r -> Epochs.next()));
  }

  private Future<Slice> slice(String room, Function<RoomHistory, List<ChatMessage>> read) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null
        ? new Slice(List.of(), 0)
        : new Slice(read.apply(history), history.lastId()));
  }
}
