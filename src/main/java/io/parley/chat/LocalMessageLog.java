package io.parley.chat;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The message log of a node that runs alone: a {@link RoomHistory} per room, in memory. */
public final class LocalMessageLog implements MessageLog {

  private final int historySize;
  private final Map<String, RoomHistory> rooms = new HashMap<>();
  private final Map<String, String> epochs = new HashMap<>();
  /** cid key to [id, expiry in ms]; expired entries are swept as new ones come. */
  private final Map<String, long[]> cids = new java.util.LinkedHashMap<>();

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

  /** A room's history begins in this process: its epoch is this node's start and the room's own random part. */
  @Override
  public Future<String> epoch(String room) {
    return Future.succeededFuture(epochs.computeIfAbsent(room, r -> MessageLogs.newEpoch()));
  }

  @Override
  public Future<Long> claimCid(String room, String nick, String cid, long windowMs) {
    long now = System.currentTimeMillis();
    sweep(now);
    long[] sent = cids.get(MessageLogs.cidKey(room, nick, cid));
    if (sent != null) {
      return Future.succeededFuture(sent[0]);
    }
    cids.put(MessageLogs.cidKey(room, nick, cid), new long[] {Sent.IN_FLIGHT, now + windowMs});
    return Future.succeededFuture(Sent.NEW);
  }

  @Override
  public Future<Void> recordCid(String room, String nick, String cid, long id, long windowMs) {
    long[] sent = cids.get(MessageLogs.cidKey(room, nick, cid));
    if (sent != null) {
      sent[0] = id; // the window still runs from the claim
    }
    return Future.succeededFuture();
  }

  /** Alone, an append cannot fail halfway: nothing was stored. */
  @Override
  public Future<Long> settleCid(String room, String nick, String cid, long windowMs) {
    cids.remove(MessageLogs.cidKey(room, nick, cid));
    return Future.succeededFuture(Sent.NEW);
  }

  @Override
  public Future<Integer> settleClaimsOf(String nodeId, long windowMs) {
    return Future.succeededFuture(0); // alone, there is no other node to die
  }

  /** Entries go in in order of expiry (one window for all), so the expired ones are at the front. */
  private void sweep(long now) {
    var entries = cids.values().iterator();
    while (entries.hasNext() && entries.next()[1] <= now) {
      entries.remove();
    }
  }

  private Future<Slice> slice(String room, Function<RoomHistory, List<ChatMessage>> read) {
    RoomHistory history = rooms.get(room);
    return Future.succeededFuture(history == null
        ? new Slice(List.of(), 0)
        : new Slice(read.apply(history), history.lastId()));
  }
}
