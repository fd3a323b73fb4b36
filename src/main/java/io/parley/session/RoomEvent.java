package io.parley.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A room event as a node receives it, encoded once for all its local recipients. {@code id} is the
 * message id (0 for presence and typing); {@code version} the membership version a presence frame carries (0 for
 * the others); {@code nick} is who caused it; {@code frame} is the decoded frame, which nobody may modify (the
 * bridge relay publishes it, and the event bus copies it per consumer); {@code wire} the whole WebSocket text
 * frame that carries its JSON encoding, header included, as a server sends it (unmasked):
 * the same bytes for every {@code /ws} recipient, which each socket writes as they are (see {@link Outbound}).
 * {@code wire} is off-heap, so that the socket writes it without a copy, and cannot be released: the garbage
 * collector frees it with the event, whichever socket still views it.
 */
public record RoomEvent(String room, String type, long id, long version, String nick, JsonObject frame,
    ByteBuf wire) {

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
        textFrame(frame.encode().getBytes(StandardCharsets.UTF_8)));
  }

  /** A final, unmasked WebSocket text frame (RFC 6455, section 5.2) holding {@code payload}. */
  static ByteBuf textFrame(byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
    frame.put((byte) 0x81); // FIN, opcode 1 (text)
    if (length < 126) {
      frame.put((byte) length);
    } else if (length <= 0xFFFF) {
      frame.put((byte) 126).putShort((short) length);
    } else {
      frame.put((byte) 127).putLong(length);
    }
    frame.put(payload).flip();
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(frame));
  }

  public boolean isMessage() {
    return id > 0;
  }

  public boolean isPresence() {
    return "presence".equals(type);
  }
}
