package io.parley.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * A connection's way out, bounded, and the fan-out's fast path.
 *
 * <p>Frames go straight to the socket's Netty channel: a room event's frame, encoded once per node, is written
 * as it is (a view of the shared buffer per recipient, no copy, no per-recipient encoding), and room events may
 * be written without a flush, so that the fan-out flushes each socket once for all the events it handled in one go:
 * under load several frames leave in one system call. (Vert.x's own write flushes each frame, unless it is
 * written while the same connection reads.) Every frame of the connection goes this way, replies included, so
 * they stay in order.
 *
 * <p>Bounds: the channel's write buffer turns unwritable at {@code OUTBOUND_QUEUE_BYTES}; from then presence and
 * typing frames are dropped (they are hints; the member list is resynced on the next join), and messages and
 * answers are still queued; when those alone add another {@code OUTBOUND_QUEUE_BYTES} before the buffer drains,
 * the client is too far behind and the session closes it (4001); it resumes with {@code since}. So a client that
 * stops reading costs at most about twice that in the node's memory, plus the kernel's send buffer
 * ({@code SOCKET_SEND_BUFFER_BYTES}).
 *
 * <p>The channel comes from Vert.x's server connection, an impl type of Vert.x 5.0 (hence the check); without it
 * the frames go through Vert.x's socket API, one flush each. Confined to the socket's event loop.
 */
final class Outbound {

  private final ServerWebSocket socket;
  private final Channel channel; // null: write through Vert.x
  private final int queueBytes;
  private final ParleyMetrics metrics;
  private long overflow; // bytes queued past a full buffer since it was last seen writable
  private long dropped;
  private boolean flushPending;

  Outbound(ServerWebSocket socket, HttpConnection connection, int queueBytes, ParleyMetrics metrics) {
    this.metrics = metrics;
    this.socket = socket;
    this.channel = connection instanceof HttpServerConnection server
        ? server.channelHandlerContext().channel() : null;
    this.queueBytes = queueBytes;
    socket.setWriteQueueMaxSize(queueBytes); // the channel's high water mark
    if (channel != null && channel.pipeline().get(IdleStateHandler.class) != null) {
      // The HTTP server's idle timeout watches every write with a listener, a cost per frame; the session's own
      // heartbeat closes a silent connection instead (and drops it if it does not close).
      channel.pipeline().remove(IdleStateHandler.class);
    }
    if (channel == null) {
      socket.drainHandler(v -> overflow = 0);
    }
  }

  /** Writes a reply or an error now (encoded for this one connection); false: too far behind, close. */
  boolean write(String json) {
    if (channel == null) {
      return writeThroughVertx(json, false);
    }
    if (!channel.isActive()) {
      return true; // closed or closing: nothing to do
    }
    ByteBuf bytes = ByteBufUtil.writeUtf8(channel.alloc(), json);
    if (!admit(bytes.readableBytes(), false)) {
      bytes.release();
      return false;
    }
    channel.writeAndFlush(new TextWebSocketFrame(bytes), channel.voidPromise());
    flushPending = false;
    return true;
  }

  /**
   * Writes a room event's shared bytes, unflushed when {@code deferFlush} (then the caller calls {@link #flush()}
   * once it has written what it had). Returns false when the client is too far behind: close it.
   */
  boolean write(RoomEvent event, boolean deferFlush) {
    boolean droppable = !event.isMessage();
    if (channel == null) {
      return writeThroughVertx(event.frame().encode(), droppable);
    }
    if (!channel.isActive()) {
      return true;
    }
    ByteBuf wire = event.wire();
    if (!admit(wire.readableBytes(), droppable)) {
      return overflow <= queueBytes; // dropped, or too far behind
    }
    // The frame is already encoded: a plain buffer passes the WebSocket encoder (and any compression extension:
    // an uncompressed message is allowed, RFC 7692 section 6) untouched. A view per recipient, with its own
    // indices; the bytes are shared.
    ByteBuf frame = wire.duplicate();
    if (deferFlush) {
      channel.write(frame, channel.voidPromise());
      flushPending = true;
    } else {
      channel.writeAndFlush(frame, channel.voidPromise());
      flushPending = false;
    }
    return true;
  }

  /** Whether a {@link #write(RoomEvent, boolean) deferred write} awaits {@link #flush()}. */
  boolean flushPending() {
    return flushPending;
  }

  /** Sends what deferred writes left in the channel. */
  void flush() {
    if (flushPending) {
      flushPending = false;
      channel.flush();
    }
  }

  /**
   * Whether a frame of {@code bytes} may be queued: false if it is dropped (droppable, buffer full) or if it
   * overflows (then {@code overflow > queueBytes}).
   */
  private boolean admit(int bytes, boolean droppable) {
    if (channel.isWritable()) {
      overflow = 0;
      return true;
    }
    if (droppable) {
      dropped++;
      metrics.dropped(ParleyMetrics.DropReason.QUEUE_FULL);
      return false;
    }
    overflow += bytes;
    return overflow <= queueBytes;
  }

  private boolean writeThroughVertx(String json, boolean droppable) {
    if (socket.isClosed()) {
      return true; // writeQueueFull() throws once closed; nothing to do
    }
    if (socket.writeQueueFull()) {
      if (droppable) {
        dropped++;
        metrics.dropped(ParleyMetrics.DropReason.QUEUE_FULL);
        return true;
      }
      overflow += json.length();
      if (overflow > queueBytes) {
        return false;
      }
    }
    socket.writeTextMessage(json);
    return true;
  }

  /** Whether a ping is worth sending: not into a full buffer. */
  boolean hasRoom() {
    if (channel == null) {
      return !socket.isClosed() && !socket.writeQueueFull();
    }
    return channel.isActive() && channel.isWritable();
  }

  long dropped() {
    return dropped;
  }
}
