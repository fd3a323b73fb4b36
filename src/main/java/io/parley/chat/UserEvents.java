package io.parley.chat;

import io.parley.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Publishes frames for one user's connections, wherever they are, once, cluster-wide, on {@link Addresses#USERS}:
 * what another of its connections did ({@code device}, {@code read}), and what others did to it ({@code invited},
 * {@code removed}).
 */
final class UserEvents {

  private final EventBus bus;

  UserEvents(EventBus bus) {
    this.bus = bus;
  }

  /** {@code frame} to every connection of {@code nick} but {@code except} (null: all of them). */
  void publish(String nick, String except, JsonObject frame) {
    bus.publish(Addresses.USERS, new JsonObject().put("nick", nick).put("except", except).put("frame", frame));
  }

  /**
   * A room was just created private (or as a direct conversation) with {@code members} on its list: every
   * connection that follows it and is not on it stops (a bridge socket may have registered the name before).
   */
  void restricted(String room, java.util.List<String> members) {
    bus.publish(Addresses.USERS, new JsonObject().put("frame", new JsonObject().put("type", "restricted")
        .put("room", room).put("members", new io.vertx.core.json.JsonArray(members))));
  }

  /** What one of the user's connections did in a room ({@code join}, {@code leave}), for the others. */
  void device(String nick, String connection, String event, String room) {
    publish(nick, connection, new JsonObject().put("type", "device").put("event", event).put("room", room));
  }
}
