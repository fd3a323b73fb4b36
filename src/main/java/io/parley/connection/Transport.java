package io.parley.connection;

import io.parley.fanout.RoomEvent;

/**
 * What the connection core ({@link Connection}) needs of a transport: a {@code /ws} WebSocket, a SockJS socket or a
 * TCP bridge socket. An adapter writes in its transport's framing and reports what happens to the socket (data,
 * failures, its close) to its connection; the rules (limits, backpressure, closing) are the connection's. All calls
 * come on the socket's event loop.
 */
public interface Transport {

  /** Which kind of transport, for metrics and logs. */
  enum Kind {
    WS, BRIDGE
  }

  Kind kind();

  /** The protocol the client speaks, as the authorization proxy hears of it: {@code ws}, {@code sockjs}, {@code tcp}. */
  default String protocol() {
    return kind().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The client's address, for logs. */
  String remoteAddress();

  /** Whether the socket is still open (a closed one takes no writes, and is not behind). */
  default boolean open() {
    return true;
  }

  /** Whether the socket takes more without queueing past {@code OUTBOUND_QUEUE_BYTES}. */
  boolean writable();

  /** Writes a room event in this transport's encoding (made once per node); unflushed when {@code defer}. */
  int write(RoomEvent event, boolean defer);

  /** Writes one protocol frame (a reply, an error), flushed; returns its size in bytes. */
  int write(String frame);

  /**
   * A frame for the user (docs/PROTOCOL.md, "Users, devices..."), as this transport carries it: {@code /ws} as it is,
   * a bridge to its {@code chat.user} address.
   */
  default String userFrame(String json) {
    return json;
  }

  /** Sends what deferred writes left. */
  void flush();

  /** Asks the client for a sign of life, where the transport has pings of its own (WebSocket); else nothing. */
  void ping();

  /** Closes the socket gracefully, with a close code where the transport carries one ({@code CloseCodes}). */
  void close(short code, String reason);

  /** Drops the TCP connection now: a client that does not read never takes a graceful close. */
  void drop();
}
