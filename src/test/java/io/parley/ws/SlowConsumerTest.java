package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.StuckClient;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Clients that never read, in a busy room: each is closed as a slow consumer (4001) once its unsent frames pass
 * the bound, and the member that reads gets every message, in order, promptly.
 */
class SlowConsumerTest extends ParleyServerTest {

  private static final int QUEUE_BYTES = 16 * 1024;

  @Override
  protected JsonObject overrides() {
    return new JsonObject()
        .put(Settings.OUTBOUND_QUEUE_BYTES.name(), QUEUE_BYTES)
        .put(Settings.SOCKET_SEND_BUFFER_BYTES.name(), 8192)
        .put(Settings.RATE_LIMIT_PER_S.name(), 100_000).put(Settings.RATE_LIMIT_BURST.name(), 100_000);
  }

  @Test
  void slow_consumer_is_closed_with_4001_and_others_keep_up() {
    TestClient alice = user("alice");
    alice.join("busy");
    TestClient bob = user("bob");
    bob.join("busy");
    alice.expect("presence");
    List<StuckClient> stuck = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      stuck.add(StuckClient.connect(node.httpPort(), "{\"type\":\"hello\",\"nick\":\"stuck" + i + "\"}",
          "{\"type\":\"join\",\"room\":\"busy\"}"));
      assertEquals("join", alice.expect("presence").getString("event"));
      assertEquals("join", bob.expect("presence").getString("event"));
    }
    String text = "x".repeat(1000);
    int messages = 400;
    long[] latencyMs = new long[messages];
    int left = 0;
    for (int i = 0; i < messages; i++) {
      long sent = System.nanoTime();
      alice.send(new JsonObject().put("type", "send").put("room", "busy").put("text", text + i));
      JsonObject received = bob.next();
      while ("presence".equals(received.getString("type"))) { // a stuck client closed
        assertEquals("leave", received.getString("event"));
        left++;
        received = bob.next();
      }
      latencyMs[i] = (System.nanoTime() - sent) / 1_000_000;
      assertEquals(i + 1L, received.getLong("id"), "bob gets every message in order");
      assertEquals("message", alice.expectPast("message", "presence").getString("type"));
    }
    // Every stuck client was closed as a slow consumer; bob saw them leave.
    while (left < stuck.size()) {
      JsonObject presence = bob.expect("presence");
      assertEquals("leave", presence.getString("event"));
      left++;
    }
    // And their TCP connections were dropped, not left to the client: only alice's and bob's remain.
    io.parley.support.Eventually.await(vertx, () -> io.parley.support.TcpConnections.established(node.httpPort()) == 2,
        "the stuck clients' TCP connections are dropped");
    stuck.forEach(StuckClient::close);
    Arrays.sort(latencyMs);
    long p99 = latencyMs[(int) (messages * 0.99) - 1];
    LoggerFactory.getLogger(SlowConsumerTest.class).info("5 stuck clients closed; the reader's send-to-receive "
        + "latency over {} messages of 1 KB: p50 {} ms, p99 {} ms, max {} ms", messages, latencyMs[messages / 2], p99,
        latencyMs[messages - 1]);
    assertTrue(p99 < 250, "a reader keeps its latency while others are stuck: p99 " + p99 + " ms, max "
        + latencyMs[messages - 1] + " ms");
  }
}
