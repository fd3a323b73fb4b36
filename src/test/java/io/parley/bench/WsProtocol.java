package io.parley.bench;

/** The plain ws peer (bench/peers/ws-server.mjs): join, joined, then send and message. */
final class WsProtocol implements Protocol {

  private static final byte[] MESSAGE = Protocol.ascii("{\"type\":\"message\"");

  @Override
  public String uri(Connection connection) {
    return "/";
  }

  @Override
  public byte[] deliveryPrefix(String room) {
    return MESSAGE;
  }

  @Override
  public void open(Connection connection) {
    connection.write("{\"type\":\"join\",\"room\":\"" + connection.room() + "\"}");
  }

  @Override
  public void control(Connection connection, String frame) {
    if (frame.startsWith("{\"type\":\"joined\"")) {
      connection.joined();
    }
  }

  @Override
  public String send(String room, String text) {
    return "{\"type\":\"send\",\"room\":\"" + room + "\",\"text\":\"" + text + "\"}";
  }
}
