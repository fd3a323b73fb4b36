package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.parley.common.Sockets;
import io.parley.fanout.RoomEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.impl.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A SockJS socket of the bridge at {@code /eventbus}. SockJS frames each write itself; its XHR transports queue per
 * session, its WebSocket transports write through. SockJS carries a close code only on its raw WebSocket transport.
 * The connection under a session comes from Vert.x's server connection, an impl type of Vert.x 5.0 (as in
 * {@code ws.WsTransport}; revisit on an upgrade).
 *
 * <p><b>Room events on the WebSocket transports</b> are written as {@code /ws}'s are: the whole WebSocket frame made
 * once per node ({@link #SOCKJS_FRAME}, {@link #RAW_FRAME}) and a view of it written to the socket's channel, where
 * SockJS would copy the envelope, JSON-escape it into its {@code a[...]} array and encode the frame again for every
 * socket. The frame's bytes are those SockJS writes (its own {@link JsonCodec}, an impl type of vertx-web 5.0). A
 * channel write and SockJS's own writes (replies, heartbeats) share the socket's event loop, so each lands in the
 * order it was made; replies were never ordered with room events (docs/PROTOCOL.md, "Room events"). The XHR
 * transports keep SockJS's path: their frames are queued and framed per poll.
 */
final class SockJsTransport extends BridgeTransport {

  /**
   * A room event on SockJS's WebSocket transport: a text frame of {@code a["<the envelope, escaped>"]}. The envelope
   * goes through UTF-8 first, as SockJS's path took it (a lone surrogate becomes {@code ?} there, as on {@code /ws}).
   */
  static final RoomEvent.Encoding<ByteBuf> SOCKJS_FRAME = RoomEvent.Encoding.define(event -> {
    String envelope = new String(event.encoded(BridgeWire.SOCKJS.event).getBytes(StandardCharsets.UTF_8),
        StandardCharsets.UTF_8);
    return Sockets.webSocketFrame(Sockets.TEXT,
        ("a" + JsonCodec.encode(new String[] {envelope})).getBytes(StandardCharsets.UTF_8));
  });

  /** A room event on the raw WebSocket transport ({@code /eventbus/websocket}): the envelope, as a binary frame. */
  static final RoomEvent.Encoding<ByteBuf> RAW_FRAME = RoomEvent.Encoding.define(event -> Sockets.webSocketFrame(
      Sockets.BINARY, event.encoded(BridgeWire.SOCKJS.event).getBytes(StandardCharsets.UTF_8)));

  private final SockJSSocket socket;
  /** The WebSocket transports' TCP connection (the upgraded request's); null under the XHR transports. */
  private final Channel channel;
  /** How room events are framed on {@link #channel}: {@link #SOCKJS_FRAME} or {@link #RAW_FRAME}. */
  private final RoomEvent.Encoding<ByteBuf> frame;
  private boolean closed;

  private final long closingTimeoutS;

  SockJsTransport(SockJSSocket socket, int queueBytes, long closingTimeoutS) {
    super(socket, socket.remoteAddress(), queueBytes);
    this.socket = socket;
    this.closingTimeoutS = closingTimeoutS;
    this.channel = webSocketChannel(socket);
    this.frame = raw(socket) ? RAW_FRAME : SOCKJS_FRAME;
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

  /** The raw WebSocket transport is served at the bridge's own path; SockJS's at {@code /<server>/<session>/websocket}. */
  private static boolean raw(SockJSSocket socket) {
    HttpServerRequest request = socket.routingContext() == null ? null : socket.routingContext().request();
    return request != null && (SockJsBridge.PATH + "/websocket").equals(request.path());
  }

  @Override
  public boolean open() {
    // SockJS or the client may end the session before its close handler reaches the connection (a task later)
    return channel == null || (!closed && channel.isActive());
  }

  @Override
  public boolean writable() {
    return channel != null ? channel.isWritable() : super.writable();
  }

  @Override
  public int write(RoomEvent event, boolean defer) {
    if (channel == null) {
      return write(event.encoded(BridgeWire.SOCKJS.event));
    }
    if (!open()) {
      return 0; // nothing after a close frame, nor into a connection that is gone
    }
    return Sockets.writeShared(channel, event.encoded(frame), defer);
  }

  @Override
  public void flush() {
    if (channel != null) {
      channel.flush();
    }
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
    closed = true;
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
    closed = true;
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
