package io.parley.bench;

/**
 * Socket.IO 4 (bench/peers/socketio-server.mjs) spoken directly: Engine.IO v4 packets over a plain WebSocket,
 * with Socket.IO v5 packets inside the message packets ({@code 4}). The server opens ({@code 0{...}}), the client
 * connects to the main namespace ({@code 40}, answered {@code 40{"sid":...}}), joins with an acknowledged event
 * ({@code 420["join",room]}, answered {@code 430[]}), and must answer every ping {@code 2} with a pong {@code 3}.
 */
final class SocketIoProtocol implements Protocol {

  private static final byte[] MESSAGE = Protocol.ascii("42[\"message\"");

  @Override
  public String uri(Connection connection) {
    return "/socket.io/?EIO=4&transport=websocket";
  }

  @Override
  public byte[] deliveryPrefix(String room) {
    return MESSAGE;
  }

  @Override
  public void open(Connection connection) {
    // the server speaks first
  }

  @Override
  public void control(Connection connection, String frame) {
    if (frame.equals("2")) {
      connection.write("3");
    } else if (frame.startsWith("0")) {
      connection.write("40");
    } else if (frame.startsWith("40")) {
      connection.write("420[\"join\",\"" + connection.room() + "\"]");
    } else if (frame.startsWith("430")) {
      connection.joined();
    } else if (frame.startsWith("44") || frame.startsWith("1")) {
      connection.failed(frame);  // connect_error, or the server closed the session
    }
  }

  @Override
  public String send(String room, String text) {
    return "42[\"send\",{\"room\":\"" + room + "\",\"text\":\"" + text + "\"}]";
  }
}
