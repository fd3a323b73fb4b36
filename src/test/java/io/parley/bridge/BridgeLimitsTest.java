package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.RawBridge;
import io.parley.support.TestClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-connection rate limit on the bridge, and MAX_CONNECTIONS_PER_IP across /ws and the bridge. */
class BridgeLimitsTest extends ParleyServerTest {

  private final List<RawBridge> bridges = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.RATE_LIMIT_PER_S.name(), 4).put(Settings.RATE_LIMIT_BURST.name(), 5)
        .put(Settings.MAX_CONNECTIONS_PER_IP.name(), 3).put(Settings.RATE_LIMIT_CLOSE_AFTER.name(), 30);
  }

  @AfterEach
  void closeBridges() {
    bridges.forEach(RawBridge::closeClient);
  }

  private RawBridge bridge() {
    RawBridge bridge = RawBridge.connect(vertx, node.httpPort());
    bridges.add(bridge);
    return bridge;
  }

  @Test
  void bridge_rate_limited() {
    RawBridge carol = bridge();
    int answered = 0;
    int limited = 0;
    for (int i = 0; i < 8; i++) {
      JsonObject reply = carol.requestFrame("chat.rooms", new JsonObject());
      if ("rec".equals(reply.getString("type"))) {
        answered++;
      } else {
        assertEquals(400, reply.getInteger("failureCode"));
        assertTrue(reply.getString("message").startsWith("rate_limited "), reply.encode());
        limited++;
      }
    }
    // RATE_LIMIT_BURST pass at once; a stall of the test machine may refill one more meanwhile.
    assertTrue(answered == 5 || answered == 6, "answered " + answered);
    assertEquals(8, answered + limited);
    vertx.timer(1100).await(); // the bucket refills at RATE_LIMIT_PER_S: the clock is what is under test
    assertEquals("rec", carol.requestFrame("chat.rooms", new JsonObject()).getString("type"));
  }

  private static long refusedAsRateLimited(List<JsonObject> frames) {
    return frames.stream().filter(f -> "err".equals(f.getString("type")) && "rate_limited".equals(f.getString("body")))
        .count();
  }

  /** Registrations cost a lookup (and in a cluster a cluster-wide write): they take from the same bucket. */
  @Test
  void bridge_registrations_count_in_the_rate_limit() {
    RawBridge carol = bridge();
    for (int i = 0; i < 8; i++) {
      carol.register(io.parley.bus.Addresses.room("room" + i));
    }
    List<JsonObject> frames = carol.framesUpToARequest("chat.rooms", new JsonObject());
    // Burst 5: five registrations pass (six if the bucket refilled meanwhile), the rest and the request are refused.
    long refused = refusedAsRateLimited(frames);
    assertTrue(refused == 3 || refused == 2, "refused " + refused + ": " + frames);
    assertEquals(400, frames.get(frames.size() - 1).getInteger("failureCode"), "the request after them too");
  }

  /** A send without a reply address over the limit is refused too (it used to travel on, unseen). */
  @Test
  void bridge_sends_without_a_reply_address_are_rate_limited() {
    RawBridge carol = bridge();
    for (int i = 0; i < 8; i++) {
      carol.send("chat.rooms", new JsonObject());
    }
    long refused = refusedAsRateLimited(carol.framesUpToARequest("chat.rooms", new JsonObject()));
    assertTrue(refused == 3 || refused == 2, "refused " + refused);
  }

  @Test
  void bridge_flooding_socket_is_closed_with_1008() {
    RawBridge mallory = bridge();
    try {
      for (int i = 0; i < 40; i++) {
        mallory.register(io.parley.bus.Addresses.room("flood" + i));
      }
    } catch (Throwable closedMeanwhile) { // Vert.x's "WebSocket is closed" is not a RuntimeException
      // the server closed it before the last registrations were written: what is under test
    }
    Eventually.await(vertx, () -> mallory.socket().isClosed(), "the flooding socket is closed");
    assertEquals((short) 1008, mallory.socket().closeStatusCode());
  }

  @Test
  void max_connections_per_ip_counts_ws_and_bridge_sockets() {
    TestClient alice = user("alice");
    RawBridge carol = bridge();
    RawBridge dave = bridge(); // three: the limit
    // A fourth /ws upgrade is refused with 429.
    Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> TestClient.connect(vertx, node.httpPort()));
    Throwable cause = refused instanceof UpgradeRejectedException ? refused : refused.getCause();
    assertTrue(cause instanceof UpgradeRejectedException rejected && rejected.getStatus() == 429, String.valueOf(refused));
    // A fourth bridge socket is opened by SockJS and closed at once by the bridge.
    RawBridge erin = bridge();
    Eventually.await(vertx, () -> erin.socket().isClosed(), "the fourth bridge socket is closed");
    // One goes, one more may come.
    carol.close();
    TestClient again = Eventually.succeeds(vertx, () -> TestClient.connect(vertx, node.httpPort()),
        "a slot freed by a closed bridge socket is usable"); // carol's close reaches the limiter asynchronously
    again.close();
    alice.close();
    dave.close();
  }
}
