package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.metrics.MetricsSetup;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.Ports;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * {@code GET /metrics} during a chat: Parley's counters move, and Vert.x's own metrics are there; with
 * {@code METRICS_PORT}, on that port only.
 */
class MetricsTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private ParleyNode node;

  @BeforeEach
  void start() {
    startVertx(true);
    node = ParleyNode.deploy(vertx, ParleyServerTest.testConfig(new JsonObject()), null, registry).await();
  }

  /**
   * One metered Vertx at a time: Vert.x's Micrometer backend is a JVM-wide registry per name. With {@code eventBus}
   * (METRICS_EVENT_BUS, off by default) the event bus's meters too: most tests here look at them.
   */
  private void startVertx(boolean eventBus) {
    registry = MetricsSetup.newRegistry();
    vertx = MetricsSetup.enable(Vertx.builder(), new VertxOptions(), registry, eventBus).build();
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close().await();
      node = null;
    }
    vertx.close().await();
  }

  /** Replaces the default node by one with {@code overrides}. */
  private ParleyConfig restartWith(JsonObject overrides) {
    stop();
    startVertx(true);
    return ParleyServerTest.testConfig(overrides);
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
  void metrics_event_bus_meters_are_off_by_default() throws Exception {
    stop();
    startVertx(Settings.METRICS_EVENT_BUS.defaultValue());
    node = ParleyNode.deploy(vertx, ParleyServerTest.testConfig(new JsonObject()), null, registry).await();
    try (TestClient alice = TestClient.user(vertx, node.httpPort(), "alice")) {
      alice.join("quiet-room");
      alice.say("quiet-room", "hello");
      Eventually.await(vertx, () -> value(scrape(), "parley_messages_in_total") == 1, "the message counted");
      String scraped = scrape();
      assertFalse(scraped.contains("vertx_eventbus_"), "no event-bus meters");
      assertTrue(scraped.contains("vertx_http_server_"), "Vert.x's other metrics stay");
    }
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

  @Test
  void metrics_port_serves_the_metrics_and_the_http_port_no_longer_does() {
    int metricsPort = Ports.free();
    ParleyConfig config = restartWith(new JsonObject().put(Settings.METRICS_PORT.name(), metricsPort));
    node = ParleyNode.deploy(vertx, config, null, registry).await();
    try (TestClient alice = TestClient.user(vertx, node.httpPort(), "alice")) {
      Eventually.await(vertx, () -> value(scrape(metricsPort), "parley_connections{transport=\"ws\"}") == 1,
          "the connection counted on METRICS_PORT");
      assertTrue(scrape(metricsPort).contains("vertx_http_server_"), "Vert.x's own metrics there too");
      assertEquals(404, get(node.httpPort(), "/metrics").statusCode(), "not on the public port");
      assertEquals(200, get(node.httpPort(), "/health").statusCode());
      assertEquals(404, get(metricsPort, "/").statusCode(), "only /metrics on METRICS_PORT");
    }
  }

  @Test
  void metrics_port_taken_fails_the_deployment() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ParleyConfig config = restartWith(new JsonObject().put(Settings.METRICS_PORT.name(), taken.getLocalPort()));
      Exception failure = assertThrows(Exception.class, () -> ParleyNode.deploy(vertx, config, null, registry).await());
      assertTrue(failure.getMessage().toLowerCase(java.util.Locale.ROOT).contains("address already in use"),
          failure.toString());
    }
  }

  @Test
  void metrics_port_that_is_the_http_port_is_refused() {
    int port = Ports.free();
    ParleyConfig config = ParleyServerTest.testConfig(new JsonObject().put(Settings.HTTP_PORT.name(), port)
        .put(Settings.METRICS_PORT.name(), port));
    // Vert.x would share one listening socket between the page's router and the metrics' one.
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ParleyNode.deploy(vertx, config, null, registry));
    assertTrue(refused.getMessage().contains("METRICS_PORT"), refused.getMessage());
  }

  private String scrape() {
    return scrape(node.httpPort());
  }

  private String scrape(int port) {
    HttpResponse<String> response = get(port, "/metrics");
    assertEquals(200, response.statusCode());
    return response.body();
  }

  private HttpResponse<String> get(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " on port " + port + " failed", e);
    }
  }

  /** The value of a sample line {@code name{labels} value}; 0 if absent. */
  private static double value(String scrape, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
