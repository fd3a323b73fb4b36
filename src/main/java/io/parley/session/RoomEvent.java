package io.parley.session;

import io.vertx.core.json.JsonObject;

/**
 * A room event as a node receives it, encoded once for all its local recipients. {@code id} is the
 * message id (0 for presence and typing); {@code nick} is who caused it.
 */
public record RoomEvent(String room, String type, long id, String nick, String json) {

  public static RoomEvent of(JsonObject frame) {
    String type = frame.getString("type");
    boolean message = "message".equals(type);
    return new RoomEvent(
        frame.getString("room"),
        type,
        message ? frame.getLong("id") : 0L,
        frame.getString(message ? "from" : "nick"),
        frame.encode());
  }

  public boolean isMessage() {
    return id > 0;
  }
}
