package io.parley.bench;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Parley's SockJS event-bus bridge (docs/PROTOCOL.md, "Event-bus bridge") spoken directly over SockJS's WebSocket
 * transport ({@code /eventbus/<server>/<session>/websocket}), as {@code vertx-eventbus.js} speaks it: the server opens
 * ({@code o}), the client registers {@code chat.room.<room>} and sends {@code chat.join} with its nick, whose reply
 * says it joined; messages are {@code chat.send} requests, deliveries {@code rec} envelopes on the room's address. A
 * SockJS frame from the server may carry several envelopes ({@code a["...","..."]}, each escaped), and every client
 * pings every 5 s as the real one does (a bridge socket that sends nothing is closed after HEARTBEAT_TIMEOUT_MS).
 */
final class BridgeProtocol implements Protocol {

  private static final long PING_EVERY_MS = 5_000;
  private static final String PING = sockJs("{\"type\":\"ping\"}");

  /** The load generator's connections, pinged together from one timer on its event loop. */
  private final List<Connection> opened = new ArrayList<>();
  private boolean pinging;

  @Override
  public String uri(Connection connection) {
    return "/eventbus/" + (connection.index() % 1000) + "/b" + connection.index() + "/websocket";
  }

  /** An envelope of the room's address whose body is a message, as it stands inside SockJS's array. */
  @Override
  public byte[] deliveryPrefix(String room) {
    return Protocol.ascii("\"{\\\"type\\\":\\\"rec\\\",\\\"address\\\":\\\"chat.room." + room
        + "\\\",\\\"body\\\":{\\\"type\\\":\\\"message\\\"");
  }

  @Override
  public boolean batches() {
    return true;
  }

  @Override
  public void open(Connection connection) {
    // SockJS's server speaks first (o)
    if (!pinging) {
      pinging = true;
      Vertx.currentContext().owner().setPeriodic(PING_EVERY_MS, id -> opened.forEach(c -> c.write(PING)));
    }
  }

  @Override
  public void control(Connection connection, String frame) {
    if (frame.equals("o")) {
      opened.add(connection);
      connection.write(sockJs("{\"type\":\"register\",\"address\":\"chat.room." + connection.room() + "\"}"));
      connection.write(sockJs("{\"type\":\"send\",\"address\":\"chat.join\",\"body\":{\"room\":\""
          + connection.room() + "\",\"nick\":\"b" + connection.index() + "\"},\"replyAddress\":\"j\"}"));
    } else if (frame.contains("\\\"address\\\":\\\"j\\\"")) {
      if (frame.contains("{\\\"type\\\":\\\"err\\\",\\\"address\\\":\\\"j\\\"")) {
        connection.failed(frame);
      } else {
        connection.joined();
      }
    } else if (frame.startsWith("a[\"{\\\"type\\\":\\\"err\\\"") || frame.startsWith("c[")) {
      connection.failed(frame); // a refusal, or SockJS closed the session
    }
    // h (heartbeats), presence, counts and the replies to sends are expected, and ignored
  }

  @Override
  public String send(String room, String text) {
    return sockJs("{\"type\":\"send\",\"address\":\"chat.send\",\"body\":{\"room\":\"" + room + "\",\"text\":\"" + text
        + "\"},\"replyAddress\":\"s\"}");
  }

  /** One envelope in a SockJS client frame: a JSON array of one string (the envelopes here escape only quotes). */
  private static String sockJs(String envelope) {
    return "[\"" + envelope.replace("\"", "\\\"") + "\"]";
  }
}
