package io.parley.common;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

/** What Parley does to a socket below Vert.x. */
public final class Sockets {

  private Sockets() {
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
