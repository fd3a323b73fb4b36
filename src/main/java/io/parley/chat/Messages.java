package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.bus.IdRange;
import io.parley.bus.SendResult;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.common.Deadlines;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Appended;
import io.parley.store.MessageLog;
import io.parley.store.RoomRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Messages and history: storing a sent message under its room's next id (once per {@code cid}) and publishing it
 * once it is committed, the history a join starts from, paging back, and the id ranges a node reads to fill a gap.
 */
final class Messages {

  private final MessageLog messages;
  private final RoomEvents events;
  private final ParleyMetrics metrics;
  private final Deadlines deadlines;
  private final int joinHistory;
  private final int historyPageMax;

  private final Standings standings;

  Messages(Vertx vertx, MessageLog messages, RoomEvents events, Standings standings, ParleyMetrics metrics,
      long requestTimeoutMs, int joinHistory, int historyPageMax) {
    this.messages = messages;
    this.standings = standings;
    this.events = events;
    this.metrics = metrics;
    // Answered before the requester gives up, so that it hears `unavailable` rather than a timeout.
    this.deadlines = new Deadlines(vertx, Math.max(1, requestTimeoutMs * 4 / 5));
    this.joinHistory = joinHistory;
    this.historyPageMax = historyPageMax;
  }

  /**
   * Stores a message and publishes it once committed: the publication is its sender's acknowledgement. A {@code cid}
   * the same nick used in the room before is not stored again ({@link SendResult.Repeated}). A store that has not
   * answered by the deadline is {@code unavailable} for the sender (who retries with the same cid); if it commits
   * later, the message is published then.
   */
  Future<SendResult> send(ChatConnection connection, Caller caller, ClientFrame.Send send) {
    String nick = connection.as(caller.nick());
    connection.requireMember(send.room());
    Future<SendResult> stored = standings.cached(send.room(), nick).compose(standing -> {
      long now = System.currentTimeMillis();
      if (standing.muted(now)) {
        throw Moderation.muted(send.room(), standing);
      }
      return store(send.room(), nick, send.text(), send.cid(), now);
    });
    return withDeadline(stored);
  }

  /**
   * A message from a backend through the server API: a bot's or the system's ({@code from} as {@link ChatMessage}
   * stores them), in a room that exists, with the same ids, storage, cid dedup and fan-out as a user's.
   */
  Future<SendResult> post(String room, String from, String text, String cid) {
    return withDeadline(store(room, from, text, cid, System.currentTimeMillis()));
  }

  private Future<SendResult> store(String room, String from, String text, String cid, long now) {
    return messages.append(room, from, text, cid, now).map(appended -> {
      if (appended instanceof Appended.Stored fresh) {
        metrics.messageIn();
        events.message(fresh.message());
        return new SendResult.Stored(fresh.message().id());
      }
      Appended.Repeated repeated = (Appended.Repeated) appended;
      return new SendResult.Repeated(repeated.id(), repeated.message());
    });
  }

  private Future<SendResult> withDeadline(Future<SendResult> stored) {
    return deadlines.within(stored, () -> new ProtocolException(ErrorCode.UNAVAILABLE,
        "the message could not be stored in time; send it again with the same cid"));
  }

  /**
   * What a join starts from: the recent history, or everything after {@code since} (up to a page) for a client that
   * resumes in the room's current epoch, with {@code recovered} saying whether that is every message it missed.
   */
  Future<JsonObject> snapshot(ClientFrame.Join join, RoomRecord room) {
    String epoch = room.epoch();
    // Ids from another epoch mean nothing now: such a client gets the recent history, not a resume.
    boolean sameEpoch = join.epoch() == null || join.epoch().equals(epoch);
    Long since = sameEpoch ? join.since() : null;
    Future<MessageLog.Slice> history = since == null
        ? messages.before(join.room(), null, joinHistory)
        : messages.after(join.room(), since, historyPageMax);
    return history.map(slice -> {
      JsonObject joined = new JsonObject().put("room", join.room()).put("history", toJson(slice.messages()))
          .put("lastId", slice.lastId()).put("epoch", epoch);
      if (join.since() != null) {
        joined.put("recovered", sameEpoch && reachesBackTo(join.since(), slice));
      }
      return joined;
    });
  }

  /** True when the slice holds exactly every message after {@code since}: no gap for the client. */
  private static boolean reachesBackTo(long since, MessageLog.Slice slice) {
    if (since > slice.lastId()) {
      return false; // the client saw ids this room never reached: its history was reset
    }
    List<ChatMessage> list = slice.messages();
    return list.isEmpty() ? since == slice.lastId() : list.get(0).id() == since + 1;
  }

  /** Pages back: the newest {@code limit} messages below {@code before}, and the room's newest id. */
  Future<JsonObject> history(ClientFrame.History page) {
    return messages.before(page.room(), page.before(), page.limit()).map(slice -> new JsonObject()
        .put("room", page.room()).put("messages", toJson(slice.messages())).put("lastId", slice.lastId()));
  }

  Future<List<ChatMessage>> range(IdRange range) {
    return messages.between(range.room(), range.from(), range.to()).map(MessageLog.Slice::messages);
  }

  Future<Long> lastId(String room) {
    return messages.lastId(room);
  }

  private static JsonArray toJson(List<ChatMessage> list) {
    JsonArray array = new JsonArray();
    list.forEach(m -> array.add(m.toJson()));
    return array;
  }
}
