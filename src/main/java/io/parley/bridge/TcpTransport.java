package io.parley.bridge;

import io.parley.common.Sockets;
import io.parley.fanout.RoomEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP bridge connection: every frame a 4-byte big-endian length and UTF-8 JSON. There are no close codes on TCP:
 * closing ends the connection.
 */
final class TcpTransport extends BridgeTransport {

  /** A room event as a whole TCP bridge frame, length included, made once per node. */
  private static final RoomEvent.Encoding<Buffer> FRAME = RoomEvent.Encoding.define(
      event -> frame(event.encoded(BridgeWire.TCP.event)));

  private final NetSocket socket;

  TcpTransport(NetSocket socket, int queueBytes) {
    super(socket, socket.remoteAddress(), queueBytes);
    this.socket = socket;
  }

  @Override
  public String protocol() {
    return "tcp";
  }

  @Override
  public int write(RoomEvent event, boolean defer) {
    Buffer frame = event.encoded(FRAME);
    socket.write(frame);
    return frame.length();
  }

  @Override
  public String userFrame(String json) {
    return BridgeWire.TCP.userFrame(json);
  }

  @Override
  public int write(String json) {
    Buffer frame = frame(json);
    socket.write(frame);
    return frame.length();
  }

  @Override
  public void close(short code, String reason) {
    socket.close();
  }

  @Override
  public void drop() {
    Sockets.drop(((NetSocketInternal) socket).channelHandlerContext().channel());
  }

  static Buffer frame(String json) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(4 + payload.length).appendInt(payload.length).appendBytes(payload);
  }
}
