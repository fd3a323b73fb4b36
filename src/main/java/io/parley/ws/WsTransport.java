package io.parley.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.parley.common.Sockets;
import io.parley.connection.Connection;
import io.parley.connection.Transport;
import io.parley.fanout.RoomEvent;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A {@code /ws} WebSocket, served by this Netty handler of Parley's own once Vert.x has upgraded it: the
 * {@link Transport} out, the frames in.
 *
 * <p><b>Why not Vert.x's {@code ServerWebSocket}.</b> An idle connection is what a chat server holds most of, and
 * Vert.x's WebSocket keeps for the socket's life its upgrade request, response and headers, its HTTP connection, and a
 * concurrent outbound queue whose first chunk alone is 4 KiB: about 8 KB of heap per connection that the session
 * never uses. So Vert.x (and vertx-web: the Origin check, admission) does the HTTP part and the handshake, with its
 * decoder, encoder and compression extension, and then {@link #takeOver} puts this handler where Vert.x's WebSocket
 * handler was. Vert.x is told the socket is closed at that moment (its metrics count it gone; Parley's
 * {@code parley_connections} counts it), and what it held becomes garbage. The cost: this class does what Vert.x's
 * WebSocket did for {@code /ws}, the close handshake, pings, pongs and fragments, and it depends on two Vert.x 5.0
 * impl types, {@code HttpServerConnection} and {@code VertxHandler} (revisit on an upgrade; {@code WsSocketTest}
 * fails if Vert.x's objects stay reachable). The page and the SockJS bridge stay on Vert.x.
 *
 * <p><b>Writes</b> go straight to the channel: a room event is encoded once per node into a whole WebSocket frame
 * ({@link #FRAME}), which each socket writes as it is (a view of the shared buffer per recipient, no copy), and room
 * events may be written without a flush, so that the fan-out flushes each socket once for all the events it handed
 * out in one go. The channel turns unwritable at {@code OUTBOUND_QUEUE_BYTES} (its high water mark); what happens then
 * is the connection's rule.
 *
 * <p><b>Reads</b> run on the HTTP verticle's context (so that what they start, event-bus requests and futures,
 * completes there), one frame at a time and in order; {@link #pause} holds further frames until {@link #resume}.
 * Confined to the socket's event loop.
 */
final class WsTransport extends ChannelInboundHandlerAdapter implements Transport {

  /**
   * A room event as a final, unmasked WebSocket text frame (RFC 6455, section 5.2), header included, as a server
   * sends it. Off-heap, so that sockets write it without a copy; each socket writes a retained view of it, and the
   * garbage collector frees the bytes with the event ({@link Sockets#webSocketFrame}).
   */
  static final RoomEvent.Encoding<ByteBuf> FRAME = RoomEvent.Encoding.define(
      event -> Sockets.webSocketFrame(Sockets.TEXT, event.utf8()));

  private static final String NAME = "parley-ws";

  private final Channel channel;
  private final ContextInternal context;
  private final int maxMessageBytes;
  private final Handler<Object> onFrame = this::handle;
  private WsSession session;
  private Connection connection;
  /** Frames read while paused, in order; null when there are none (most of the time). */
  private ArrayDeque<Object> held;
  private boolean paused;
  /** A fragmented message so far (its first frame's kind: text or binary); null between messages. */
  private ByteBuf fragments;
  private boolean binaryFragments;
  /** The rest of a fragmented message is read and thrown away: it grew past the limit, or it is binary. */
  private boolean discardingFragments;
  private boolean closeSent;
  private boolean closeReceived;

  private WsTransport(Channel channel, ContextInternal context, int maxMessageBytes) {
    this.channel = channel;
    this.context = context;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Takes the socket of a WebSocket Vert.x has just upgraded ({@code connection} is its HTTP connection) off Vert.x;
   * call on the socket's event loop, before {@link #bind}. Nothing is read in between: both run in the same task.
   */
  static WsTransport takeOver(HttpConnection connection, int queueBytes, int maxMessageBytes) {
    if (!(connection instanceof HttpServerConnection server)) {
      throw new IllegalStateException("expected Vert.x's HTTP server connection, got " + connection.getClass());
    }
    Channel channel = server.channelHandlerContext().channel();
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext vertx = pipeline.context(VertxHandler.class);
    if (vertx == null) {
      throw new IllegalStateException("no Vert.x handler in the upgraded pipeline: " + pipeline.names());
    }
    WsTransport transport = new WsTransport(channel, server.context(), maxMessageBytes);
    ChannelHandler replaced = pipeline.replace(vertx.name(), NAME, transport);
    // Vert.x's bookkeeping of a closed WebSocket (metrics; its objects let go of): from here the socket is Parley's.
    ((VertxHandler<?>) replaced).channelInactive(vertx);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(queueBytes / 2, queueBytes));
    Sockets.closeFrameOnProtocolViolation(channel);
    if (pipeline.get(IdleStateHandler.class) != null) {
      // The HTTP server's idle timeout watches every write with a listener, a cost per frame; the connection's own
      // heartbeat closes a silent connection instead (and drops it if it does not close).
      pipeline.remove(IdleStateHandler.class);
    }
    channel.config().setAutoRead(true);
    return transport;
  }

  /** Who hears of this socket's frames and of its close. */
  void bind(WsSession session, Connection connection) {
    this.session = session;
    this.connection = connection;
  }

  /** Holds the frames read from now on until {@link #resume} (the protocol's answer-before-the-next-frame rule). */
  void pause() {
    paused = true;
    channel.config().setAutoRead(false);
  }

  /** Handles the frames held, in order, then reads again; on the verticle's context. */
  void resume() {
    paused = false;
    while (!paused && held != null && !held.isEmpty()) {
      handle(held.poll());
    }
    if (!paused) {
      held = null;
      channel.config().setAutoRead(true);
    }
  }

  // ---- Netty: what the socket reports ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (paused || held != null) {
      if (held == null) {
        held = new ArrayDeque<>(4);
      }
      held.add(msg);
    } else {
      context.emit(msg, onFrame);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (held != null) {
      held.forEach(ReferenceCountUtil::release);
      held = null;
    }
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    if (connection != null) {
      context.emit(null, v -> connection.closed());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (connection != null) {
      context.emit(cause, connection::failed);
    }
    ctx.close(); // as Vert.x does: a socket that failed is not read further
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    // The HTTP server's shutdown event and the like: Parley's own shutdown closes its connections with 1012.
    ReferenceCountUtil.release(event);
  }

  private void handle(Object msg) {
    try {
      if (!(msg instanceof WebSocketFrame frame) || closeReceived || session == null) {
        return;
      }
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
          || frame instanceof ContinuationWebSocketFrame) {
        data(frame);
      } else if (frame instanceof PingWebSocketFrame) {
        connection.heard();
        channel.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), channel.voidPromise());
      } else if (frame instanceof PongWebSocketFrame) {
        connection.heard();
      } else if (frame instanceof CloseWebSocketFrame) {
        closeReceived = true;
        if (closeSent) {
          channel.close();
        } else { // the client's close: answered with its own status, then the server closes the TCP connection
          closeSent = true;
          channel.writeAndFlush(new CloseWebSocketFrame(true, 0, frame.content().retain()))
              .addListener(ChannelFutureListener.CLOSE);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** A data frame: a whole message, or a fragment of one (RFC 6455, section 5.4). */
  private void data(WebSocketFrame frame) {
    boolean continuation = frame instanceof ContinuationWebSocketFrame;
    if (!continuation && frame.isFinalFragment()) {
      if (frame.content().readableBytes() > maxMessageBytes) {
        connection.tooBig(frame.content().readableBytes()); // text or binary, in bytes on the wire: 1009, undecoded
      } else if (frame instanceof TextWebSocketFrame text) {
        session.onText(text.text());
      } else {
        session.onBinary();
      }
      return;
    }
    if (!continuation) { // the first of several
      binaryFragments = frame instanceof BinaryWebSocketFrame;
      discardingFragments = binaryFragments;
      if (binaryFragments) {
        session.onBinary(); // refused at once; the rest of it is not kept
      } else {
        fragments = channel.alloc().buffer(Math.min(maxMessageBytes, 2 * frame.content().readableBytes()));
      }
    }
    if (!discardingFragments) {
      if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
        long size = (long) fragments.readableBytes() + frame.content().readableBytes();
        fragments.release();
        fragments = null;
        discardingFragments = true;
        connection.tooBig(size);
      } else {
        fragments.writeBytes(frame.content());
      }
    }
    if (frame.isFinalFragment()) {
      if (fragments != null) {
        String text = fragments.toString(StandardCharsets.UTF_8);
        fragments.release();
        fragments = null;
        session.onText(text);
      }
      discardingFragments = false;
    }
  }

  // ---- Transport: what the connection does to the socket ----

  @Override
  public Kind kind() {
    return Kind.WS;
  }

  @Override
  public String remoteAddress() {
    SocketAddress address = channel.remoteAddress();
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
  }

  @Override
  public boolean open() {
    return channel.isActive();
  }

  @Override
  public boolean writable() {
    return channel.isWritable();
  }

  @Override
  public int write(RoomEvent event, boolean defer) {
    return Sockets.writeShared(channel, event.encoded(FRAME), defer);
  }

  @Override
  public int write(String frame) {
    ByteBuf bytes = ByteBufUtil.writeUtf8(channel.alloc(), frame);
    int size = bytes.readableBytes();
    channel.writeAndFlush(new TextWebSocketFrame(bytes), channel.voidPromise());
    return size;
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public void ping() {
    channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
  }

  /**
   * Sends the close frame behind what is queued. The TCP connection closes when the client answers with its own;
   * the connection drops it if that takes longer than {@code WS_CLOSING_TIMEOUT_S}.
   */
  @Override
  public void close(short code, String reason) {
    if (closeSent || !channel.isActive()) {
      return;
    }
    closeSent = true;
    var written = channel.writeAndFlush(new CloseWebSocketFrame(code, reason == null ? "" : reason));
    if (closeReceived) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void drop() {
    Sockets.drop(channel);
  }
}
