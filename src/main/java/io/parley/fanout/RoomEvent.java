package io.parley.fanout;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * A room event as a node receives it: a {@code message} or a change to the room ({@code edit}, {@code delete},
 * {@code reaction}, {@code kick}, {@code ban}, {@code unban}, {@code mute}, {@code role}), each with the room's next
 * id, or a {@code presence}, {@code count} or {@code typing} frame. {@code id} is the room event's id (0 for the
 * last three); {@code version} the membership version a presence or count frame carries (0 for the others);
 * {@code nick} who caused it (null for a count). {@code frame} is the decoded frame, which nobody may modify.
 *
 * <p>Encoded once per node, for all its recipients: each transport asks for the event in its own {@link Encoding}
 * (a {@code /ws} WebSocket frame, a bridge envelope), made at the first request and shared by every connection of
 * that transport. Events are handed to several event loops, so an encoding may be made twice in a race; it is the
 * same bytes either way.
 *
 * <p>Events travel the event bus as themselves ({@link RoomEventCodec}): the publishing node's own fan-out gets the
 * very object, and other nodes get the frame's UTF-8 text, which they keep and write as it came.
 */
public final class RoomEvent {

  private static final AtomicInteger ENCODINGS = new AtomicInteger();
  private static final int MAX_ENCODINGS = 8;

  /** A way to encode events for one transport, defined once per transport ({@link #define}). */
  public static final class Encoding<T> {
    private final int slot;
    private final Function<RoomEvent, T> encoder;

    private Encoding(int slot, Function<RoomEvent, T> encoder) {
      this.slot = slot;
      this.encoder = encoder;
    }

    /** A new encoding; a handful exist per process (one per transport), each a static constant. */
    public static <T> Encoding<T> define(Function<RoomEvent, T> encoder) {
      int slot = ENCODINGS.getAndIncrement();
      if (slot >= MAX_ENCODINGS) {
        throw new IllegalStateException("at most " + MAX_ENCODINGS + " encodings of room events");
      }
      return new Encoding<>(slot, encoder);
    }
  }

  private final String room;
  private final String type;
  private final long id;
  private final long version;
  private final String nick;
  private final JsonObject frame;
  private volatile String json;
  private volatile byte[] utf8;
  private final AtomicReferenceArray<Object> encoded = new AtomicReferenceArray<>(MAX_ENCODINGS);

  private RoomEvent(String room, String type, long id, long version, String nick, JsonObject frame) {
    this.room = room;
    this.type = type;
    this.id = id;
    this.version = version;
    this.nick = nick;
    this.frame = frame;
  }

  public static RoomEvent of(JsonObject frame) {
    String type = frame.getString("type");
    boolean membership = "presence".equals(type) || "count".equals(type);
    // Messages and changes to the room (edit, delete, reaction, kick, ban...) carry the room's ids; presence,
    // counts and typing do not.
    boolean sequenced = !membership && !"typing".equals(type);
    return new RoomEvent(frame.getString("room"), type, sequenced ? frame.getLong("id", 0L) : 0L,
        membership ? frame.getLong("version", 0L) : 0L,
        frame.getString("message".equals(type) ? "from" : sequenced ? "by" : "nick"), frame);
  }

  /** An event as it came over the wire: the frame's JSON text in UTF-8, kept as the bytes its recipients get. */
  static RoomEvent fromWire(byte[] utf8) {
    RoomEvent event = of(new JsonObject(Buffer.buffer(utf8)));
    event.utf8 = utf8;
    return event;
  }

  public String room() {
    return room;
  }

  public String type() {
    return type;
  }

  /** The message id; 0 for presence and typing. */
  public long id() {
    return id;
  }

  /** The membership version a presence or count frame carries; 0 for the others. */
  public long version() {
    return version;
  }

  /** Who sent the message, joined or left, or is typing; null for a count. */
  public String nick() {
    return nick;
  }

  public JsonObject frame() {
    return frame;
  }

  public boolean isMessage() {
    return id > 0;
  }

  /** A presence or count frame: a change of the room's members, at {@link #version()}. */
  public boolean isMembership() {
    return "presence".equals(type) || isCount();
  }

  /** A big room's member count: never dropped under backpressure (one a second at most; nothing resends it). */
  public boolean isCount() {
    return "count".equals(type);
  }

  /** The frame's JSON text, encoded once (or as it came over the wire). */
  public String json() {
    String text = json;
    if (text == null) {
      byte[] bytes = utf8;
      text = bytes != null ? new String(bytes, StandardCharsets.UTF_8) : frame.encode();
      json = text;
    }
    return text;
  }

  /**
   * The frame's JSON text in UTF-8, made once (or as it came over the wire); nobody may modify it. Made from the
   * String, as replies and history are: Jackson's byte generator would write a character beyond the BMP as two
   * backslash-u escapes (12 bytes for an emoji, not 4) and a lone surrogate as an escape, where the String's UTF-8 has
   * the 4 bytes and {@code ?}.
   */
  public byte[] utf8() {
    byte[] bytes = utf8;
    if (bytes == null) {
      bytes = json().getBytes(StandardCharsets.UTF_8);
      utf8 = bytes;
    }
    return bytes;
  }

  /** This event in {@code encoding}, made once. */
  @SuppressWarnings("unchecked")
  public <T> T encoded(Encoding<T> encoding) {
    Object value = encoded.get(encoding.slot);
    if (value == null) {
      value = encoding.encoder.apply(this);
      encoded.lazySet(encoding.slot, value);
    }
    return (T) value;
  }

  @Override
  public String toString() {
    return type + "@" + room + (isMessage() ? "#" + id : "");
  }
}
