package io.parley.bench;

import io.vertx.core.Vertx;

/**
 * Parley's /ws protocol (docs/PROTOCOL.md): hello, welcome, join, joined, then send and message. A hello or join
 * answered {@code unavailable} (the chat service did not answer within REQUEST_TIMEOUT_MS: a cluster of several nodes
 * on one core, say) is asked again a second later, as a client would; any other error fails the connection.
 */
final class ParleyProtocol implements Protocol {

  private static final long RETRY_MS = 1000;

  private static final byte[] MESSAGE = Protocol.ascii("{\"type\":\"message\"");

  @Override
  public String uri(Connection connection) {
    return "/ws";
  }

  @Override
  public byte[] deliveryPrefix(String room) {
    return MESSAGE;
  }

  @Override
  public void open(Connection connection) {
    hello(connection);
  }

  @Override
  public void control(Connection connection, String frame) {
    // presence and typing frames of others joining are expected, and ignored
    if (frame.startsWith("{\"type\":\"welcome\"")) {
      join(connection);
    } else if (frame.startsWith("{\"type\":\"joined\"")) {
      connection.joined();
    } else if (frame.startsWith("{\"type\":\"error\"") && frame.contains("\"code\":\"unavailable\"")) {
      boolean hello = frame.contains("\"ref\":\"hello\"");
      Vertx.currentContext().owner().setTimer(RETRY_MS, id -> {
        if (hello) {
          hello(connection);
        } else {
          join(connection);
        }
      });
    } else if (frame.startsWith("{\"type\":\"error\"")) {
      connection.failed(frame);
    }
  }

  private static void hello(Connection connection) {
    connection.write("{\"type\":\"hello\",\"nick\":\"b" + connection.index() + "\",\"ref\":\"hello\"}");
  }

  private static void join(Connection connection) {
    connection.write("{\"type\":\"join\",\"room\":\"" + connection.room() + "\",\"ref\":\"join\"}");
  }

  @Override
  public String send(String room, String text) {
    return "{\"type\":\"send\",\"room\":\"" + room + "\",\"text\":\"" + text + "\"}";
  }
}
