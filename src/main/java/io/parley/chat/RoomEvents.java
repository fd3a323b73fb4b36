package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes room events, each once, cluster-wide, on {@link Addresses#FANOUT}: every node hands them to its
 * connections that follow the room (frames carry the room).
 */
final class RoomEvents {

  private final EventBus bus;

  RoomEvents(EventBus bus) {
    this.bus = bus;
  }

  void message(ChatMessage message) {
    publish(message.toJson());
  }

  /** {@code version}: the room's membership version that this change made. */
  void presence(String room, String nick, String event, long version) {
    publish(ServerFrames.presence(room, nick, event, version));
  }

  void typing(String room, String nick) {
    publish(ServerFrames.typing(room, nick));
  }

  private void publish(JsonObject frame) {
    bus.publish(Addresses.FANOUT, frame);
  }
}
