package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.store.MessageLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where each user has read to in each room: a marker that never moves back, shared by the user's connections (each
 * of the others hears of a move), from which unread counts follow (ids are +1 per message).
 */
final class ReadMarkers {

  private final MessageLog store;
  private final RoomPermissions access;
  private final UserEvents users;

  ReadMarkers(MessageLog store, RoomPermissions access, UserEvents users) {
    this.store = store;
    this.access = access;
    this.users = users;
  }

  /** The room events (messages and changes alike) after {@code marker} in a room whose newest id is {@code lastId}. */
  static long unread(long lastId, long marker) {
    return Math.max(0, lastId - marker);
  }

  /** {@code nick}'s marker in {@code room} (0: nothing read). */
  Future<Long> of(String nick, String room) {
    return store.readMarkers(nick, List.of(room)).map(markers -> markers.getOrDefault(room, 0L));
  }

  /** {@code read}: moves the marker (at most to the room's newest id); answers, and tells the other connections. */
  Future<JsonObject> read(ChatConnection connection, Caller caller, ClientFrame.Read read) {
    String nick = connection.as(caller.nick());
    // A marker past the newest id would hide the messages still to come.
    return access.existing(read.room(), nick).compose(record -> store.lastId(read.room())).compose(lastId -> store
        .markRead(read.room(), nick, Math.min(read.id(), lastId))
        .map(marker -> {
          JsonObject frame = new JsonObject().put("type", "read").put("room", read.room()).put("id", marker)
              .put("unread", unread(lastId, marker));
          users.publish(nick, connection.id, frame);
          return frame.copy();
        }));
  }
}
