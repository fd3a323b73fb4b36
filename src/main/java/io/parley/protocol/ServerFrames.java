package io.parley.protocol;

import io.vertx.core.json.JsonObject;

/** Builders for the frames the server sends, one place per frame shape (see docs/PROTOCOL.md). */
public final class ServerFrames {

  private ServerFrames() {
  }

  /** A frame of the given type with {@code ref} echoed when the client gave one, then {@code fields}. */
  public static JsonObject reply(String type, String ref, JsonObject fields) {
    JsonObject frame = new JsonObject().put("type", type);
    if (ref != null) {
      frame.put("ref", ref);
    }
    return fields == null ? frame : frame.mergeIn(fields);
  }

  public static JsonObject error(ProtocolException e) {
    return reply("error", e.ref(), new JsonObject()
        .put("code", e.code().code())
        .put("message", e.getMessage()));
  }

  /**
   * {@code version} is the room's membership version that this change made (see {@code store.Directory}),
   * {@code count} its members afterwards.
   */
  public static JsonObject presence(String room, String nick, String event, long version, int count) {
    return new JsonObject().put("type", "presence").put("room", room).put("nick", nick).put("event", event)
        .put("version", version).put("count", count);
  }

  /** A big room's member count at membership {@code version}: what replaces its presence frames. */
  public static JsonObject count(String room, int count, long version) {
    return new JsonObject().put("type", "count").put("room", room).put("count", count).put("version", version);
  }

  public static JsonObject typing(String room, String nick) {
    return new JsonObject().put("type", "typing").put("room", room).put("nick", nick);
  }
}
