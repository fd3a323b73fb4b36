package io.parley.bridge;

import io.parley.bus.Addresses;
import io.parley.bus.BusErrors;
import io.parley.bus.SendResult;
import io.parley.common.LogThrottle;
import io.parley.common.SerialQueue;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.connection.Connection;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameParser;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge protocol on one bridge socket, SockJS or TCP (docs/PROTOCOL.md, "Event-bus bridge"): the envelopes
 * of {@code vertx-eventbus.js} and of Vert.x's TCP bridge, served by Parley itself. A {@code send} to one of
 * {@link Addresses#BRIDGE_INBOUND} is a request of the connection core ({@link Connection}), its body checked by
 * the protocol's rules; registering a room's address ({@link Addresses#room}) follows the room, whose events the
 * transport then writes as they come. Everything else is refused: that is the bridge's permission model, built from
 * {@link Addresses}. Its own rule: at most {@code BRIDGE_MAX_HANDLERS} registrations plus requests in flight;
 * registrations take from the connection's rate limit like requests, before anything is done for them.
 *
 * <p>A socket's envelopes take effect in the order it sent them, and a registration gets the room's baseline before
 * the socket's next envelope: a client that registers a room and then joins it misses nothing after its join.
 * Confined to the socket's event loop.
 */
final class BridgeSession {

  private static final Logger log = LoggerFactory.getLogger(BridgeSession.class);
  /** Clients can make these happen (registering while the store is down): a few lines a minute. */
  private static final LogThrottle FOLLOW_FAILURES = LogThrottle.perMinute(10);
  /** Longest reply address a client may choose (the JavaScript client's are UUIDs, 36 characters). */
  private static final int MAX_REPLY_ADDRESS = 64;

  private final Connection connection;
  /** This node's id, for {@code chat.hello}'s reply (as {@code welcome} says it). */
  private final String node;
  private final BridgeWire wire;
  private final int maxHandlers;
  private final Set<String> registered = new HashSet<>();
  private final int maxPending;
  /** Envelopes received and not served yet, in order. */
  private final SerialQueue envelopes = new SerialQueue();
  /** Requests sent to the chat service and not answered yet. */
  private int inFlight;

  BridgeSession(Connection connection, BridgeWire wire, ParleyConfig config, String node) {
    this.node = node;
    this.connection = connection;
    this.wire = wire;
    this.maxHandlers = config.get(Settings.BRIDGE_MAX_HANDLERS);
    this.maxPending = config.get(Settings.BRIDGE_MAX_PENDING);
  }

  /**
   * One envelope from the client, as text. It waits its turn in a bounded queue: a client that sends faster than
   * its envelopes are served (a registration waits for the room's last id) is flooding, and is closed rather than
   * buffered without end.
   */
  void onEnvelope(String text) {
    connection.heard();
    if (envelopes.waiting() >= maxPending) {
      envelopes.clear();
      connection.close(CloseCodes.POLICY_VIOLATION, "too many envelopes waiting");
      return;
    }
    envelopes.run(() -> serve(text));
  }

  private Future<Void> serve(String text) {
    try {
      return handle(text);
    } catch (RuntimeException e) {
      connection.crashed(e);
      return Future.succeededFuture();
    }
  }

  private Future<Void> handle(String text) {
    if (!connection.isOpen()) {
      return Future.succeededFuture();
    }
    // Every envelope takes from the rate limit first, whatever it is (a ping, garbage, a registration): over the
    // limit, nothing is done for it but the refusal.
    ProtocolException limited = connection.overLimit(null);
    JsonObject envelope;
    try {
      envelope = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      refuse(limited != null ? "rate_limited" : "invalid_json");
      return Future.succeededFuture();
    }
    String type = envelope.getValue("type") instanceof String t ? t : null;
    String address = envelope.getValue("address") instanceof String a ? a : null;
    if (limited != null) {
      String replyAddress = envelope.getValue("replyAddress") instanceof String r ? r : null;
      if ("send".equals(type) && replyAddress != null && !replyAddress.isEmpty()
          && replyAddress.length() <= MAX_REPLY_ADDRESS) {
        fail(replyAddress, limited);
      } else {
        refuse("rate_limited");
      }
      return Future.succeededFuture();
    }
    if (type == null) {
      refuse("missing_type");
    } else if (type.equals("ping")) {
      if (wire.answersPing) {
        connection.send(wire.pong());
      }
    } else if (address == null) {
      refuse("missing_address");
    } else if (type.equals("send")) {
      request(address, envelope);
    } else if (type.equals("publish")) {
      refuse("rejected"); // a published request would have no reply to carry its answer
    } else if (type.equals("register")) {
      return register(address);
    } else if (type.equals("unregister")) {
      unregister(address);
    } else {
      refuse("invalid_type");
    }
    return Future.succeededFuture();
  }

  private void request(String address, JsonObject envelope) {
    String frameType = Addresses.frameTypeOf(address);
    if (frameType == null) {
      refuse("access_denied");
      return;
    }
    String replyAddress = envelope.getValue("replyAddress") instanceof String r ? r : null;
    if (replyAddress != null && (replyAddress.isEmpty() || replyAddress.length() > MAX_REPLY_ADDRESS)) {
      refuse("invalid_reply_address");
      return;
    }
    // Every request in flight counts, with a reply address or not: sends without one must not escape the bound.
    if (registered.size() + inFlight >= maxHandlers) {
      refuse("max_handlers_reached");
      return;
    }
    JsonObject body = envelope.getValue("body") instanceof JsonObject fields ? fields : new JsonObject();
    ClientFrame frame;
    String nick;
    try {
      frame = connection.parser().parseFields(frameType, body, ClientFrame.class);
      nick = FrameParser.optionalNick(body);
    } catch (ProtocolException e) {
      fail(replyAddress, e);
      return;
    }
    String token = frame instanceof ClientFrame.Join ? FrameParser.optionalJwt(body) : null;
    // A hello's nick is the claim itself (its token is in the frame), an invite's, a remove's or a moderator's
    // action's the user it is about: none is a check against the socket's own.
    String named = frame instanceof ClientFrame.Hello || frame instanceof ClientFrame.Invite
        || frame instanceof ClientFrame.Remove || frame instanceof ClientFrame.Moderate ? null : nick;
    inFlight++;
    connection.ask(frame, named, token).onComplete(done -> {
      inFlight--;
      Object result = done.result();
      if (done.succeeded() && frame instanceof ClientFrame.Hello) {
        connection.identified(((JsonObject) result).getString("nick"));
        result = ((JsonObject) result).copy().put("node", node);
      } else if (done.succeeded() && frame instanceof ClientFrame.Join) {
        connection.identified(((JsonObject) result).getString("nick")); // the bridge's first join claimed it
      }
      if (replyAddress == null) {
        return;
      }
      if (done.succeeded()) {
        connection.send(wire.reply(replyAddress, result instanceof SendResult sent ? sent.toJson() : (JsonObject) result));
      } else {
        fail(replyAddress, done.cause());
      }
    });
  }

  private Future<Void> register(String address) {
    if (Addresses.USER.equals(address)) {
      if (connection.nick() == null) {
        refuse("access_denied"); // whose frames? say hello (or join) first
      } else {
        connection.hearUser(true);
      }
      return Future.succeededFuture();
    }
    String room = Addresses.roomOf(address);
    if (room != null && registered.contains(room) && !connection.follows(room)) {
      registered.remove(room); // followed no more: its user was removed from the room
    }
    if (registered.size() + inFlight >= maxHandlers) {
      refuse("max_handlers_reached");
    } else if (room == null) {
      refuse("access_denied");
    } else if (registered.contains(room)) {
      refuse("address_already_registered");
    } else {
      registered.add(room);
      // A private room's events are for its list only: the chat service says whether this socket may follow it.
      // A registration without the room's baseline could not say what it misses: refused, as a whole.
      return connection.<JsonObject>ask(new ClientFrame.Follow(null, room)).recover(refused -> {
        registered.remove(room);
        refuse("access_denied");
        return Future.failedFuture(refused);
      }).compose(allowed -> connection.follow(room, false).recover(failure -> {
        long left = FOLLOW_FAILURES.admit();
        if (left >= 0) {
          log.warn("a bridge client could not follow room {}: {}{}", room, failure.toString(), LogThrottle.note(left));
        }
        registered.remove(room);
        connection.unfollow(room);
        refuse("registration_failure");
        return Future.succeededFuture();
      })).otherwiseEmpty().mapEmpty();
    }
    return Future.succeededFuture();
  }

  private void unregister(String address) {
    if (Addresses.USER.equals(address)) {
      connection.hearUser(false);
      return;
    }
    String room = Addresses.roomOf(address);
    if (room == null) {
      refuse("access_denied");
    } else if (registered.remove(room)) {
      connection.unfollow(room);
    }
  }

  /** A refused request, to its reply address: the chat service's code and text, or a timeout. */
  private void fail(String replyAddress, Throwable failure) {
    if (replyAddress == null) {
      return;
    }
    if (failure instanceof ReplyException reply && reply.failureCode() != BusErrors.REFUSED
        && reply.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
      connection.send(wire.failure(replyAddress, reply.failureCode(), reply.failureType().name(), reply.getMessage()));
    } else {
      ProtocolException refusal = BusErrors.toProtocolException(failure);
      connection.send(wire.failure(replyAddress, BusErrors.REFUSED, "RECIPIENT_FAILURE", BusErrors.describe(refusal)));
    }
  }

  private void refuse(String reason) {
    connection.send(wire.refusal(reason));
  }
}
