package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.bus.Addresses;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twenty bridge sockets flood one node of a cluster with registrations and requests, as fast as their client can
 * write: the rate limit sheds their work before it costs the store or the cluster anything, the worst are closed,
 * and {@code /ws} users on either node are still answered promptly.
 */
class BridgeFloodClusterTest {

  private static final Logger log = LoggerFactory.getLogger(BridgeFloodClusterTest.class);
  private static final int FLOODERS = 20;
  private static final long JOIN_BOUND_MS = 2000;

  private TestCluster cluster;
  private final Vertx attacker = Vertx.vertx();

  @BeforeEach
  void start() {
    cluster = TestCluster.start(2, new JsonObject());
  }

  @AfterEach
  void stop() {
    attacker.close().await();
    cluster.close();
  }

  @Test
  void bridge_flood_on_one_node_leaves_ws_joins_answered_on_both() {
    WebSocketClient client = attacker.createWebSocketClient();
    List<WebSocket> flooders = new ArrayList<>();
    for (int i = 0; i < FLOODERS; i++) {
      flooders.add(client.connect(cluster.member(0).httpPort(), "127.0.0.1", "/eventbus/websocket").await());
    }
    // Each flooder writes from the attacker's event loop without waiting: registrations of new rooms and requests.
    for (int f = 0; f < FLOODERS; f++) {
      WebSocket socket = flooders.get(f);
      int flooder = f;
      attacker.setPeriodic(1, id -> {
        if (socket.isClosed()) {
          attacker.cancelTimer(id);
          return;
        }
        for (int i = 0; i < 20; i++) {
          String room = "flood-" + flooder + "-" + System.nanoTime();
          socket.writeTextMessage(new JsonObject().put("type", "register").put("address", Addresses.room(room)).encode());
          socket.writeTextMessage(new JsonObject().put("type", "send").put("address", "chat.history")
              .put("body", new JsonObject().put("room", room)).encode());
        }
      });
    }
    long worst = 0;
    for (int i = 0; i < 10; i++) {
      TestClient user = TestClient.user(cluster.member(i % 2).vertx(), cluster.member(i % 2).httpPort(), "user" + i);
      long started = System.nanoTime();
      user.join("general");
      long ms = (System.nanoTime() - started) / 1_000_000;
      worst = Math.max(worst, ms);
      user.close();
    }
    long closed = flooders.stream().filter(WebSocket::isClosed).count();
    log.info("bridge flood: {} sockets, {} of them closed by now; slowest /ws join {} ms", FLOODERS, closed, worst);
    assertTrue(worst < JOIN_BOUND_MS, "slowest join " + worst + " ms");
    assertTrue(closed > 0, "flooders far over the rate limit are closed");
  }
}
