package io.parley.bench;

import java.nio.charset.StandardCharsets;

/**
 * One target server's wire protocol, as far as the load generator needs it: open a session and join one room,
 * send a message, and tell a delivery from everything else by the first bytes of its frame.
 */
interface Protocol {

  /** The target's protocol; Parley's over {@code transport}: {@code ws} ({@code /ws}) or {@code bridge} (SockJS). */
  static Protocol of(String target, String transport) {
    return switch (target) {
      case "parley" -> "bridge".equals(transport) ? new BridgeProtocol() : new ParleyProtocol();
      case "ws" -> new WsProtocol();
      case "socketio" -> new SocketIoProtocol();
      default -> throw new IllegalArgumentException("unknown target " + target);
    };
  }

  /** The request URI of {@code connection}'s WebSocket upgrade. */
  String uri(Connection connection);

  /** Every delivery frame to a member of {@code room} starts with these bytes, and no other frame does. */
  byte[] deliveryPrefix(String room);

  /**
   * Whether one frame may hold several deliveries, and others frames besides (SockJS's arrays): then the delivery
   * prefix is looked for anywhere in a frame, not only at its start.
   */
  default boolean batches() {
    return false;
  }

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
