package io.parley.bridge;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.parley.common.Sockets;
import io.parley.fanout.RoomEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.concurrent.TimeUnit;

/**
 * A SockJS socket of the bridge at {@code /eventbus}. SockJS frames each write itself; its XHR transports queue per
 * session, its WebSocket transport writes through. SockJS carries a close code only on its raw WebSocket transport.
 * The connection under a session comes from Vert.x's server connection, an impl type of Vert.x 5.0 (as in
 * {@code ws.WsTransport}; revisit on an upgrade).
 */
final class SockJsTransport extends BridgeTransport {

  private final SockJSSocket socket;
  /** The WebSocket transports' TCP connection (the upgraded request's); null under the XHR transports. */
  private final Channel channel;

  private final long closingTimeoutS;

  SockJsTransport(SockJSSocket socket, int queueBytes, long closingTimeoutS) {
    super(socket, socket.remoteAddress(), queueBytes);
    this.socket = socket;
    this.closingTimeoutS = closingTimeoutS;
    this.channel = webSocketChannel(socket);
    if (channel != null) {
      // SockJS's WebSocket transports write through and report no backlog: the channel's own buffer says it.
      channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(queueBytes / 2, queueBytes));
      Sockets.closeFrameOnProtocolViolation(channel);
    }
  }

  @Override
  public String protocol() {
    return "sockjs";
  }

  private static Channel webSocketChannel(SockJSSocket socket) {
    HttpServerRequest request = socket.routingContext() == null ? null : socket.routingContext().request();
    // The path, not the URI: a query string must not turn a WebSocket transport into an unbounded one.
    if (request != null && request.path() != null && request.path().endsWith("/websocket")
        && request.connection() instanceof HttpServerConnection connection) {
      return connection.channelHandlerContext().channel();
    }
    return null;
  }

  @Override
  public boolean writable() {
    return channel != null ? channel.isWritable() : super.writable();
  }

  @Override
  public int write(RoomEvent event, boolean defer) {
    return write(event.encoded(BridgeWire.SOCKJS.event));
  }

  /** Returns the frame's length in characters, as SockJS counts its queue. */
  @Override
  public String userFrame(String json) {
    return BridgeWire.SOCKJS.userFrame(json);
  }

  @Override
  public int write(String frame) {
    socket.write(Buffer.buffer(frame));
    return frame.length();
  }

  /**
   * SockJS ends the session at once (the connection lets go of what it holds then) but its close frame waits behind
   * what the client has not read: the TCP connection of a WebSocket transport is dropped if it is still there
   * {@code WS_CLOSING_TIMEOUT_S} later, as {@code /ws} does.
   */
  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
    if (channel != null) {
      channel.eventLoop().schedule(() -> {
        if (channel.isActive()) {
          Sockets.drop(channel);
        }
      }, closingTimeoutS, TimeUnit.SECONDS);
    }
  }

  /**
   * Drops the TCP connection under the session when the session owns one: the WebSocket transports', or an XHR
   * stream's still open. SockJS's own close only queues a close frame behind what the client does not read. A
   * polling session has no connection of its own between polls: closing it is enough (its queue is bounded, and a
   * poll after the close gets the close frame).
   */
  @Override
  public void drop() {
    socket.close();
    if (channel != null) {
      Sockets.drop(channel);
      return;
    }
    HttpServerRequest request = socket.routingContext() == null ? null : socket.routingContext().request();
    if (request != null && !request.response().ended() && request.connection() instanceof HttpServerConnection c) {
      Sockets.drop(c.channelHandlerContext().channel());
    }
  }
}
