package io.parley.bridge;

import io.parley.bus.Addresses;
import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.StuckClient;
import io.parley.support.TcpConnections;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bridge socket that stops reading is closed as a slow consumer (4001), and its TCP connection is dropped
 * {@code WS_CLOSING_TIMEOUT_S} later, on each of the bridge's WebSocket transports: a close stuck behind frames the
 * client never reads must not keep the connection, nor what it holds.
 */
class BridgeSlowConsumerTest extends ParleyServerTest {

  private static final int STUCK = 5;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.RATE_LIMIT_PER_S.name(), 1_000_000)
        .put(Settings.RATE_LIMIT_BURST.name(), 1_000_000);
  }

  private static String register(String room) {
    return new JsonObject().put("type", "register").put("address", Addresses.room(room)).encode();
  }

  @Test
  void bridge_slow_consumer_on_the_raw_websocket_transport_is_dropped() {
    stuckClientsAreDropped(room -> StuckClient.connectTo(node.httpPort(), "/eventbus/websocket", register(room)));
  }

  @Test
  void bridge_slow_consumer_on_the_sockjs_websocket_transport_is_dropped() {
    // SockJS's framing: the client sends a JSON array of messages, each a string.
    stuckClientsAreDropped(room -> StuckClient.connectTo(node.httpPort(), "/eventbus/000/" + room + "x/websocket",
        new JsonArray().add(register(room)).encode()));
  }

  private void stuckClientsAreDropped(java.util.function.Function<String, StuckClient> connect) {
    String room = "stuck";
    TestClient filler = user("filler");
    filler.join(room);
    List<StuckClient> stuck = new ArrayList<>();
    try {
      for (int i = 0; i < STUCK; i++) {
        stuck.add(connect.apply(room));
      }
      Eventually.await(vertx, () -> TcpConnections.established(node.httpPort()) == STUCK + 1, "all connected");
      String text = "x".repeat(4000);
      for (int i = 0; i < 400; i++) {
        filler.say(room, text); // one at a time: the filler itself keeps up
      }
      try {
        Eventually.await(vertx, () -> TcpConnections.established(node.httpPort()) == 1,
            "every stuck bridge socket closed as a slow consumer and its TCP connection dropped; the filler stays");
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " (established: " + TcpConnections.established(node.httpPort())
            + ")", e);
      }
    } finally {
      stuck.forEach(StuckClient::close);
    }
  }
}
