package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookQueue;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes room events, each once, cluster-wide, on {@link Addresses#FANOUT}: every node hands them to its
 * connections that follow the room (frames carry the room). With webhooks on, each (typing aside) is also queued for
 * the backend, here, where it is made once, in the room's order.
 */
final class RoomEvents {

  private final EventBus bus;
  private final WebhookQueue webhooks; // null: no webhooks

  RoomEvents(EventBus bus, WebhookQueue webhooks) {
    this.bus = bus;
    this.webhooks = webhooks;
  }

  void message(ChatMessage message) {
    publish(message.toJson());
    if (webhooks != null) {
      webhooks.offer(WebhookEvent.of(message));
    }
  }

  /** {@code version}: the room's membership version that this change made. */
  void presence(String room, String nick, String event, long version) {
    JsonObject frame = ServerFrames.presence(room, nick, event, version);
    publish(frame);
    if (webhooks != null) {
      webhooks.offer(WebhookEvent.presence(room, event, frame));
    }
  }

  void typing(String room, String nick) {
    publish(ServerFrames.typing(room, nick));
  }

  private void publish(JsonObject frame) {
    bus.publish(Addresses.FANOUT, frame);
  }
}
