package io.parley.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One accepted message. {@code id} is the room's offset: 1 for the first message, then strictly +1,
 * so a client can detect a gap. {@code ts} is epoch milliseconds; {@code cid} is the sender's own id or null.
 */
public record ChatMessage(String room, long id, String from, String text, long ts, String cid) {

  /** The {@code message} frame exactly as clients receive it. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", "message")
        .put("room", room)
        .put("id", id)
        .put("from", from)
        .put("text", text)
        .put("ts", ts);
    if (cid != null) {
      json.put("cid", cid);
    }
    return json;
  }
}
