package io.parley.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes request and reply objects ({@link ChatRequest}, {@link SendResult}, ...) between a node's verticles as
 * they are, without encoding: the requests of {@link Addresses} are node-local. Refuses to go over the wire.
 */
public final class LocalCodec implements MessageCodec<Object, Object> {

  public static final String NAME = "parley.local";

  /** Delivery options of a node-local request or reply with this codec; copy them to change one. */
  public static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NAME).setLocalOnly(true);
  }

  /** Registers the codec on {@code vertx}'s event bus, once however many nodes a test deploys on it. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new LocalCodec());
    } catch (IllegalStateException registeredAlready) {
      // another node on this Vertx did
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Object value) {
    throw new UnsupportedOperationException("chat requests are node-local: " + value.getClass().getSimpleName());
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("chat requests are node-local");
  }

  @Override
  public Object transform(Object value) {
    return value; // immutable records and replies that nobody changes after sending
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
