package io.parley.fanout;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * How a {@link RoomEvent} crosses the event bus ({@code Addresses.FANOUT}), the default codec of its class. On the
 * publishing node the consumer gets the same object: an event is immutable, and Vert.x's JSON codec would have
 * copied the frame for it (6.9% of what a message allocated in scenario b, JFR). Between nodes it is the frame's
 * JSON text in UTF-8 behind its length, which the receiving node parses once and keeps, so it writes the bytes that
 * came instead of encoding the frame again. Every node of a cluster must have it: nodes of one version only.
 */
public final class RoomEventCodec implements MessageCodec<RoomEvent, RoomEvent> {

  public static final String NAME = "parley.room-event";

  /** Registers the codec on {@code vertx}'s event bus, once however many nodes a test deploys on it. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(RoomEvent.class, new RoomEventCodec());
    } catch (IllegalStateException registeredAlready) {
      // another node on this Vertx did
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, RoomEvent event) {
    byte[] utf8 = event.utf8();
    buffer.appendInt(utf8.length).appendBytes(utf8);
  }

  @Override
  public RoomEvent decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return RoomEvent.fromWire(buffer.getBytes(pos + 4, pos + 4 + length));
  }

  @Override
  public RoomEvent transform(RoomEvent event) {
    return event;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
