package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.bus.BusErrors;
import io.parley.config.ParleyConfig;
import io.parley.protocol.FrameParser;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat service: validates requests from any transport, sequences each room's messages, keeps their
 * history, and publishes every room event (message, presence, typing) on the room's address. One instance
 * per node; its state is confined to its event loop.
 */
public final class ChatVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ChatVerticle.class);

  private final ChatState state;
  private final FrameParser rules;
  private EventBus bus;

  public ChatVerticle(ParleyConfig config) {
    this.state = new ChatState(config);
    this.rules = new FrameParser(config.maxTextLength(), config.historyPageMax());
  }

  @Override
  public Future<?> start() {
    bus = vertx.eventBus();
    List<MessageConsumer<JsonObject>> consumers = List.of(
        bus.localConsumer(Addresses.HELLO, replying(this::hello)),
        bus.localConsumer(Addresses.JOIN, replying(this::join)),
        bus.localConsumer(Addresses.LEAVE, replying(this::leave)),
        bus.localConsumer(Addresses.SEND, replying(this::send)),
        bus.localConsumer(Addresses.TYPING, replying(this::typing)),
        bus.localConsumer(Addresses.ROOMS, replying(body -> new JsonObject().put("rooms", state.roomList()))),
        bus.localConsumer(Addresses.HISTORY, replying(this::history)),
        bus.localConsumer(Addresses.DISCONNECT, this::disconnect));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private JsonObject hello(JsonObject body) {
    String nick = Names.requireNick(body.getString("nick"));
    state.hello(body.getString("conn"), nick);
    log.debug("{} is connected", nick);
    return new JsonObject().put("nick", nick);
  }

  private JsonObject join(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    ChatState.Joined joined = state.join(body.getString("conn"), room, body.getLong("since"));
    if (joined.newMember()) {
      publish(room, ServerFrames.presence(room, joined.nick(), "join"));
    }
    return joined.reply();
  }

  private JsonObject leave(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    String nick = state.leave(body.getString("conn"), room);
    publish(room, ServerFrames.presence(room, nick, "leave"));
    return new JsonObject().put("room", room);
  }

  private JsonObject send(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    String text = rules.checkText(body.getString("text"));
    ChatMessage message = state.send(body.getString("conn"), room, text, body.getString("cid"),
        System.currentTimeMillis());
    publish(room, message.toJson());
    return new JsonObject().put("id", message.id());
  }

  private JsonObject typing(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    publish(room, ServerFrames.typing(room, state.typing(body.getString("conn"), room)));
    return new JsonObject();
  }

  private JsonObject history(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    int limit = body.getInteger("limit", 1);
    return new JsonObject().put("room", room).put("messages", state.history(room, body.getLong("before"), limit));
  }

  private void disconnect(Message<JsonObject> message) {
    ChatState.Departure departure = state.disconnect(message.body().getString("conn"));
    if (departure == null) {
      return;
    }
    departure.rooms().forEach(room -> publish(room, ServerFrames.presence(room, departure.nick(), "leave")));
    log.debug("{} is disconnected", departure.nick());
  }

  private void publish(String room, JsonObject frame) {
    bus.publish(Addresses.room(room), frame);
  }

  /** Answers a request with what {@code action} returns, or with the refusal it throws. */
  private static Handler<Message<JsonObject>> replying(Function<JsonObject, JsonObject> action) {
    return message -> {
      try {
        message.reply(action.apply(message.body()));
      } catch (ProtocolException e) {
        BusErrors.fail(message, e);
      } catch (RuntimeException e) {
        log.error("chat request to {} failed", message.address(), e);
        message.fail(500, "internal error");
      }
    };
  }
}
