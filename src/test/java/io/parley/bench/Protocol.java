package io.parley.bench;

import java.nio.charset.StandardCharsets;

/**
 * One target server's wire protocol, as far as the load generator needs it: open a session and join one room,
 * send a message, and tell a delivery from everything else by the first bytes of its frame.
 */
interface Protocol {

  static Protocol of(String target) {
    return switch (target) {
      case "parley" -> new ParleyProtocol();
      case "ws" -> new WsProtocol();
      case "socketio" -> new SocketIoProtocol();
      default -> throw new IllegalArgumentException("unknown target " + target);
    };
  }

  /** The request URI of the WebSocket upgrade. */
  String uri();

  /** Every delivery frame starts with these bytes, and no other frame does. */
  byte[] deliveryPrefix();

  /** Writes what opens the session (or nothing, if the server speaks first). */
  void open(Connection connection);

  /** A frame that is not a delivery: handshake answers, pings, presence; completes {@code joined} in the end. */
  void control(Connection connection, String frame);

  /** The frame that posts {@code text} to {@code room}; text needs no JSON escaping. */
  String send(String room, String text);

  static byte[] ascii(String prefix) {
    return prefix.getBytes(StandardCharsets.US_ASCII);
  }
}
