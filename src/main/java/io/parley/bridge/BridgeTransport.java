package io.parley.bridge;

import io.parley.connection.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * What both bridges' sockets share as a {@link Transport}: a write stream bounded at {@code OUTBOUND_QUEUE_BYTES}
 * that writes as it goes (nothing to flush, unless a transport defers room events), and clients that ping of their
 * own accord.
 */
abstract class BridgeTransport implements Transport {

  private final WriteStream<Buffer> stream;
  private final String remoteAddress;

  BridgeTransport(WriteStream<Buffer> stream, Object remoteAddress, int queueBytes) {
    this.stream = stream;
    this.remoteAddress = String.valueOf(remoteAddress);
    stream.setWriteQueueMaxSize(queueBytes);
  }

  @Override
  public final Kind kind() {
    return Kind.BRIDGE;
  }

  @Override
  public final String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public boolean writable() {
    return !stream.writeQueueFull();
  }

  @Override
  public void flush() {
    // written as it goes
  }

  @Override
  public final void ping() {
    // the client pings
  }
}
