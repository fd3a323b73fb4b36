package io.parley.session;

import io.vertx.core.json.JsonObject;

/**
 * A room event as a node receives it, encoded once for all its local recipients. {@code id} is the
 * message id (0 for presence and typing); {@code version} the membership version a presence frame carries (0 for
 * the others); {@code nick} is who caused it; {@code frame} is the decoded frame, which nobody may modify (the
 * bridge relay publishes it, and the event bus copies it per consumer).
 */
public record RoomEvent(String room, String type, long id, long version, String nick, JsonObject frame, String json) {

  public static RoomEvent of(JsonObject frame) {
    String type = frame.getString("type");
    boolean message = "message".equals(type);
    return new RoomEvent(
        frame.getString("room"),
        type,
        message ? frame.getLong("id") : 0L,
        "presence".equals(type) ? frame.getLong("version", 0L) : 0L,
        frame.getString(message ? "from" : "nick"),
        frame,
        frame.encode());
  }

  public boolean isMessage() {
    return id > 0;
  }

  public boolean isPresence() {
    return "presence".equals(type);
  }
}
