package io.parley.common;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.nio.ByteBuffer;

/** What Parley does to a socket below Vert.x. */
public final class Sockets {

  private Sockets() {
  }

  /** WebSocket opcodes of data frames (RFC 6455, section 5.2). */
  public static final int TEXT = 1;
  public static final int BINARY = 2;

  /**
   * A final, unmasked WebSocket data frame (RFC 6455, section 5.2), header included, as a server sends it: made once
   * per node for a room event and written to every socket as a view of the same bytes. Off-heap, so the kernel
   * reads it in place. Its own reference is never released: the memory is the JDK's direct buffer, freed when the
   * event is collected, and each view written holds one more reference, which Netty releases once it is sent. A plain
   * buffer passes Netty's WebSocket encoders, and any compression extension, untouched (an uncompressed message is
   * allowed, RFC 7692 section 6).
   */
  public static ByteBuf webSocketFrame(int opcode, byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
    frame.put((byte) (0x80 | opcode)); // FIN
    if (length < 126) {
      frame.put((byte) length);
    } else if (length <= 0xFFFF) {
      frame.put((byte) 126).putShort((short) length);
    } else {
      frame.put((byte) 127).putLong(length);
    }
    frame.put(payload).flip();
    return Unpooled.wrappedBuffer(frame); // a wrapper that does not free what it wraps: the JDK's cleaner does
  }

  /**
   * Writes a view of {@code frame} (a {@link #webSocketFrame}, shared by every recipient) to {@code channel},
   * unflushed when {@code defer}; returns its size in bytes. The view has its own indices; the bytes are shared.
   * One object per delivery: a retained duplicate (an unreleasable wrapper's duplicate is two, 8.6% of what a message
   * allocated in scenario b, JFR).
   */
  public static int writeShared(Channel channel, ByteBuf frame, boolean defer) {
    if (defer) {
      channel.write(frame.retainedDuplicate(), channel.voidPromise());
    } else {
      channel.writeAndFlush(frame.retainedDuplicate(), channel.voidPromise());
    }
    return frame.readableBytes();
  }

  /**
   * Closes {@code channel}'s TCP connection now, whatever it has not sent. Vert.x orders a connection's close behind
   * its unsent writes, which a client that stopped reading never takes, and its handler in the pipeline turns any
   * close into that same graceful one: so the close starts below every handler, at the socket.
   */
  public static void drop(Channel channel) {
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first == null) {
      channel.close();
    } else {
      first.close();
    }
  }

  /**
   * Makes a WebSocket's protocol violations end with a close frame: Vert.x's server decodes with Netty's
   * {@code closeOnProtocolViolation} off and, on a frame the decoder refuses (one whose header announces more than
   * the HTTP server's {@code maxWebSocketFrameSize}, a bad opcode, an unmasked frame), closes the TCP connection
   * with no frame at all. This handler, right after the decoder, sends the decoder's own status (1009 for a frame
   * too large, 1002 otherwise) and then closes; the client learns why. Call once, on the socket's event loop.
   */
  public static void closeFrameOnProtocolViolation(Channel channel) {
    // After both the decoder (its exceptions come this way) and the encoder (the close frame must go through it).
    String last = null;
    boolean decoder = false;
    for (var entry : channel.pipeline()) {
      if (entry.getValue() instanceof WebSocketFrameDecoder || entry.getValue() instanceof WebSocketFrameEncoder) {
        decoder |= entry.getValue() instanceof WebSocketFrameDecoder;
        last = entry.getKey();
      }
    }
    if (decoder && last != null) {
      channel.pipeline().addAfter(last, "parley-protocol-violation", PROTOCOL_VIOLATION);
    }
  }

  private static final ChannelHandler PROTOCOL_VIOLATION = new ProtocolViolationHandler();

  @ChannelHandler.Sharable
  private static final class ProtocolViolationHandler extends ChannelDuplexHandler {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof CorruptedWebSocketFrameException violation) {
        String reason = violation.closeStatus().reasonText();
        // From this handler down, below Vert.x's: its own close would queue a second close frame and wait for the
        // client's answer, which the corrupted decoder no longer reads.
        ctx.writeAndFlush(new CloseWebSocketFrame(violation.closeStatus().code(),
                reason.length() > 100 ? reason.substring(0, 100) : reason))
            .addListener(written -> drop(ctx.channel()));
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }
}
