package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.ParleyNode;
import io.parley.metrics.MetricsSetup;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} during a chat: Parley's counters move, and Vert.x's own metrics are there. */
class MetricsTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Vertx vertx;
  private ParleyNode node;

  @BeforeEach
  void start() {
    PrometheusMeterRegistry registry = MetricsSetup.newRegistry();
    vertx = MetricsSetup.enable(Vertx.builder(), new VertxOptions(), registry).build();
    node = ParleyNode.deploy(vertx, ParleyServerTest.testConfig(new JsonObject()), null, registry).await();
  }

  @AfterEach
  void stop() {
    node.close().await();
    vertx.close().await();
  }

  @Test
  void metrics_scrape_during_a_chat_shows_the_counters_moving() throws Exception {
    try (TestClient alice = TestClient.user(vertx, node.httpPort(), "alice");
        TestClient bob = TestClient.user(vertx, node.httpPort(), "bob")) {
      alice.join("metrics-room");
      bob.join("metrics-room");
      alice.expect("presence");
      String before = scrape();
      assertEquals(2, value(before, "parley_connections{transport=\"ws\"}"));
      assertEquals(1, value(before, "parley_rooms"));

      for (int i = 0; i < 3; i++) {
        alice.say("metrics-room", "m" + i);
        bob.expect("message");
      }
      Eventually.await(vertx, () -> value(scrape(), "parley_messages_in_total") == value(before, "parley_messages_in_total") + 3,
          "three more messages in");
      String after = scrape();
      assertEquals(value(before, "parley_deliveries_total") + 6, value(after, "parley_deliveries_total"),
          "each message handed to both members");
      assertTrue(value(after, "parley_delivery_latency_seconds_count") >= 3, after);
      // Vert.x's own: HTTP server, event bus, pools, JVM
      for (String family : new String[] {"vertx_http_server_", "vertx_eventbus_", "vertx_pool_", "jvm_memory_"}) {
        assertTrue(after.contains(family), family + " in the scrape");
      }
      // Room addresses are folded into one label value: the scrape does not grow with the rooms.
      assertFalse(after.contains("chat.room.metrics-room"), "no label value per room");
    }
    Eventually.await(vertx, () -> value(scrape(), "parley_connections{transport=\"ws\"}") == 0, "connections closed");
  }

  @Test
  void metrics_drops_count_rate_limited_frames() throws Exception {
    try (TestClient alice = TestClient.user(vertx, node.httpPort(), "carol")) {
      alice.join("drops-room");
      for (int i = 0; i < 60; i++) { // past the burst of 40
        alice.send(new JsonObject().put("type", "typing").put("room", "drops-room"));
      }
      alice.expectPast("error", "typing", "presence");
      Eventually.await(vertx, () -> value(scrape(), "parley_drops_total{reason=\"rate_limited\"}") >= 1, "rate_limited counted");
    }
  }

  private String scrape() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      return response.body();
    } catch (Exception e) {
      throw new AssertionError("scrape failed", e);
    }
  }

  /** The value of a sample line {@code name{labels} value}; 0 if absent. */
  private static double value(String scrape, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
