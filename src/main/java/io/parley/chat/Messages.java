package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.bus.IdRange;
import io.parley.bus.SendResult;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ClientFrame;
import io.parley.store.CidStore;
import io.parley.store.MessageLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages and history: storing a sent message under its room's next id (once per {@code cid}), the history a
 * join starts from, paging back, and the id ranges a node reads to fill a gap.
 */
final class Messages {

  private static final Logger log = LoggerFactory.getLogger(Messages.class);

  private final MessageLog messages;
  private final CidStore cids;
  private final RoomEvents events;
  private final ParleyMetrics metrics;
  private final long dedupWindowMs;
  private final int joinHistory;
  private final int historyPageMax;

  Messages(MessageLog messages, CidStore cids, RoomEvents events, ParleyMetrics metrics, long dedupWindowMs,
      int joinHistory, int historyPageMax) {
    this.messages = messages;
    this.cids = cids;
    this.events = events;
    this.metrics = metrics;
    this.dedupWindowMs = dedupWindowMs;
    this.joinHistory = joinHistory;
    this.historyPageMax = historyPageMax;
  }

  /**
   * Stores and publishes a message. A {@code cid} that the same nick sent to the room within the dedup window is
   * not stored again: the answer is the message its first send stored ({@link SendResult.Repeated}).
   */
  Future<SendResult> send(ChatConnection connection, Caller caller, ClientFrame.Send send) {
    String nick = connection.as(caller.nick());
    connection.requireMember(send.room());
    if (send.cid() == null) {
      return append(send, nick).map(message -> new SendResult.Stored(message.id()));
    }
    return cids.claim(send.room(), nick, send.cid(), dedupWindowMs).compose(claim -> {
      if (claim instanceof CidStore.Claim.Stored stored) {
        return Future.succeededFuture(new SendResult.Repeated(stored.id(), stored.message()));
      }
      if (claim instanceof CidStore.Claim.InFlight) {
        return Future.succeededFuture(new SendResult.Repeated(0, null));
      }
      return append(send, nick).transform(appended -> appended.succeeded()
          ? recorded(nick, appended.result())
          // Perhaps stored after all (a timeout): settle the claim against the room before failing.
          : cids.settle(send.room(), nick, send.cid(), dedupWindowMs).transform(settled -> Future.failedFuture(appended.cause())));
    });
  }

  /**
   * Stored and published: whatever happens to the record, the answer is the id (a failed record leaves the claim in
   * flight, which blocks a retry, rather than let a retry store it twice).
   */
  private Future<SendResult> recorded(String nick, ChatMessage message) {
    return cids.record(nick, message, dedupWindowMs).transform(recorded -> {
      if (recorded.failed()) {
        log.warn("could not record cid {} of {} in {}: {}", message.cid(), nick, message.room(), recorded.cause().toString());
      }
      return Future.succeededFuture(new SendResult.Stored(message.id()));
    });
  }

  private Future<ChatMessage> append(ClientFrame.Send send, String nick) {
    return messages.append(send.room(), nick, send.text(), send.cid(), System.currentTimeMillis()).map(message -> {
      metrics.messageIn();
      events.message(message);
      return message;
    });
  }

  /**
   * What a join starts from: the recent history, or everything after {@code since} (up to a page) for a client that
   * resumes in the room's current epoch, with {@code recovered} saying whether that is every message it missed.
   */
  Future<JsonObject> snapshot(ClientFrame.Join join) {
    String room = join.room();
    return messages.epoch(room).compose(epoch -> {
      // Ids from another epoch mean nothing now: such a client gets the recent history, not a resume.
      boolean sameEpoch = join.epoch() == null || join.epoch().equals(epoch);
      Long since = sameEpoch ? join.since() : null;
      Future<MessageLog.Slice> history = since == null
          ? messages.before(room, null, joinHistory)
          : messages.after(room, since, historyPageMax);
      return history.map(slice -> {
        JsonObject joined = new JsonObject().put("room", room).put("history", toJson(slice.messages()))
            .put("lastId", slice.lastId()).put("epoch", epoch);
        if (join.since() != null) {
          joined.put("recovered", sameEpoch && reachesBackTo(join.since(), slice));
        }
        return joined;
      });
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
