package io.parley.bridge;

import io.parley.fanout.RoomEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * A SockJS socket of the bridge at {@code /eventbus}. SockJS frames each write itself; its XHR transports queue per
 * session, its WebSocket transport writes through. SockJS carries a close code only on its raw WebSocket transport.
 */
final class SockJsTransport extends BridgeTransport {

  private final SockJSSocket socket;

  SockJsTransport(SockJSSocket socket, int queueBytes) {
    super(socket, socket.remoteAddress(), queueBytes);
    this.socket = socket;
  }

  @Override
  public int write(RoomEvent event, boolean defer) {
    return write(event.encoded(BridgeWire.SOCKJS.event));
  }

  /** Returns the frame's length in characters, as SockJS counts its queue. */
  @Override
  public int write(String frame) {
    socket.write(Buffer.buffer(frame));
    return frame.length();
  }

  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
  }

  /**
   * SockJS gives no handle on the connection under a session: this is only a close. (A WebSocket-transport client
   * that stops reading is bounded by the HTTP server's idle timeout; see RELIABILITY.md.)
   */
  @Override
  public void drop() {
    socket.close();
  }
}
