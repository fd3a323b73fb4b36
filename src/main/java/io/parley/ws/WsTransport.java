package io.parley.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import io.parley.common.Sockets;
import io.parley.connection.Transport;
import io.parley.fanout.RoomEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@code /ws} WebSocket as a {@link Transport}, and the fan-out's fast path.
 *
 * <p>Frames go straight to the socket's Netty channel: a room event is encoded once per node into a whole
 * WebSocket frame ({@link #FRAME}), which each socket writes as it is (a view of the shared buffer per recipient,
 * no copy), and room events may be written without a flush, so that the fan-out flushes each socket once for all
 * the events it handed out in one go: under load several frames leave in one system call. (Vert.x's own write
 * flushes each frame, unless it is written while the same connection reads.) Every frame of the connection goes
 * this way, replies included, so they stay in order.
 *
 * <p>The channel's write buffer turns unwritable at {@code OUTBOUND_QUEUE_BYTES} (its high water mark); what
 * happens then is the connection's rule. The channel comes from Vert.x's server connection, an impl type of
 * Vert.x 5.0 (revisit on an upgrade). Confined to the socket's event loop.
 */
final class WsTransport implements Transport {

  /**
   * A room event as a final, unmasked WebSocket text frame (RFC 6455, section 5.2), header included, as a server
   * sends it. Off-heap, so that sockets write it without a copy, and unreleasable: the garbage collector frees it with
   * the event, whichever socket still views it.
   */
  static final RoomEvent.Encoding<ByteBuf> FRAME = RoomEvent.Encoding.define(
      event -> textFrame(event.json().getBytes(StandardCharsets.UTF_8)));

  private final ServerWebSocket socket;
  private final Channel channel;

  WsTransport(ServerWebSocket socket, HttpConnection connection, int queueBytes) {
    if (!(connection instanceof HttpServerConnection server)) {
      throw new IllegalStateException("expected Vert.x's HTTP server connection, got " + connection.getClass());
    }
    this.socket = socket;
    this.channel = server.channelHandlerContext().channel();
    socket.setWriteQueueMaxSize(queueBytes); // the channel's high water mark
    Sockets.closeFrameOnProtocolViolation(channel);
    if (channel.pipeline().get(IdleStateHandler.class) != null) {
      // The HTTP server's idle timeout watches every write with a listener, a cost per frame; the connection's own
      // heartbeat closes a silent connection instead (and drops it if it does not close).
      channel.pipeline().remove(IdleStateHandler.class);
    }
  }

  @Override
  public Kind kind() {
    return Kind.WS;
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(socket.remoteAddress());
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
    ByteBuf wire = event.encoded(FRAME);
    // A plain buffer passes the WebSocket encoder (and any compression extension: an uncompressed message is
    // allowed, RFC 7692 section 6) untouched. A view per recipient, with its own indices; the bytes are shared.
    if (defer) {
      channel.write(wire.duplicate(), channel.voidPromise());
    } else {
      channel.writeAndFlush(wire.duplicate(), channel.voidPromise());
    }
    return wire.readableBytes();
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
    socket.writePing(Buffer.buffer());
  }

  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
  }

  @Override
  public void drop() {
    Sockets.drop(channel);
  }

  /** A final, unmasked WebSocket text frame holding {@code payload}. */
  static ByteBuf textFrame(byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
    frame.put((byte) 0x81); // FIN, opcode 1 (text)
    if (length < 126) {
      frame.put((byte) length);
    } else if (length <= 0xFFFF) {
      frame.put((byte) 126).putShort((short) length);
    } else {
      frame.put((byte) 127).putLong(length);
    }
    frame.put(payload).flip();
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(frame));
  }
}
