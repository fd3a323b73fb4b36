package io.parley.common;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

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
}
