package io.parley.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * A room event as a node receives it, encoded once for all its local recipients. {@code id} is the
 * message id (0 for presence and typing); {@code version} the membership version a presence frame carries (0 for
 * the others); {@code nick} is who caused it; {@code frame} is the decoded frame, which nobody may modify (the
 * bridge relay publishes it, and the event bus copies it per consumer); {@code json} its encoding, and
 * {@code payload} the UTF-8 bytes of that, which every {@code /ws} recipient's frame views without copying (a
 * heap buffer that cannot be released: the garbage collector frees it with the event, whoever still views it).
 */
public record RoomEvent(String room, String type, long id, long version, String nick, JsonObject frame, String json,
    ByteBuf payload) {

  public static RoomEvent of(JsonObject frame) {
    String type = frame.getString("type");
    boolean message = "message".equals(type);
    String json = frame.encode();
    return new RoomEvent(
        frame.getString("room"),
        type,
        message ? frame.getLong("id") : 0L,
        "presence".equals(type) ? frame.getLong("version", 0L) : 0L,
        frame.getString(message ? "from" : "nick"),
        frame,
        json,
        Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8))));
  }

  public boolean isMessage() {
    return id > 0;
  }

  public boolean isPresence() {
    return "presence".equals(type);
  }
}
