package io.parley.bench;

/** Parley's /ws protocol (docs/PROTOCOL.md): hello, welcome, join, joined, then send and message. */
final class ParleyProtocol implements Protocol {

  private static final byte[] MESSAGE = Protocol.ascii("{\"type\":\"message\"");

  @Override
  public String uri() {
    return "/ws";
  }

  @Override
  public byte[] deliveryPrefix() {
    return MESSAGE;
  }

  @Override
  public void open(Connection connection) {
    connection.write("{\"type\":\"hello\",\"nick\":\"b" + connection.index() + "\"}");
  }

  @Override
  public void control(Connection connection, String frame) {
    // presence and typing frames of others joining are expected, and ignored
    if (frame.startsWith("{\"type\":\"welcome\"")) {
      connection.write("{\"type\":\"join\",\"room\":\"" + connection.room() + "\"}");
    } else if (frame.startsWith("{\"type\":\"joined\"")) {
      connection.joined();
    } else if (frame.startsWith("{\"type\":\"error\"")) {
      connection.failed(frame);
    }
  }

  @Override
  public String send(String room, String text) {
    return "{\"type\":\"send\",\"room\":\"" + room + "\",\"text\":\"" + text + "\"}";
  }
}
