package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.NodeProcess;
import io.parley.support.Ports;
import io.parley.support.Postgres;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * What docker-compose.yml wires together, without a Docker engine: its services' settings agree with each other
 * (every node on the one PostgreSQL service with its credentials, every node listing every node, the balancer's
 * upstream naming them all, the page's origin the balancer's address, Prometheus scraping the nodes' private metrics
 * port and published on this host only, the image not running as root), and the nodes' own environment, with the
 * compose hosts mapped to loopback and the database to a fresh one of the tests' PostgreSQL, runs a chatting cluster
 * whose metrics are on their own port.
 */
@ExtendWith(VertxExtension.class)
class ComposeTest {

  private static final Pattern NODE = Pattern.compile("^parley\\d+$");

  @TempDir
  Path workDir;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(TestClient::close);
    nodes.forEach(NodeProcess::close);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
    return new TreeMap<>((Map<String, Map<String, Object>>) compose.get("services"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new HashMap<>();
    ((Map<String, Object>) service.get("environment")).forEach((key, value) -> env.put(key, String.valueOf(value)));
    return env;
  }

  private static Map<String, Map<String, String>> nodeEnvironments() throws IOException {
    Map<String, Map<String, String>> nodes = new TreeMap<>();
    services().forEach((name, service) -> {
      if (NODE.matcher(name).matches()) {
        nodes.put(name, environment(service));
      }
    });
    return nodes;
  }

  @Test
  @SuppressWarnings("unchecked")
  void compose_puts_every_node_on_one_postgresql_and_the_balancer_in_front_of_them_all() throws IOException {
    Map<String, Map<String, Object>> services = services();
    Map<String, String> postgres = environment(services.get("postgres"));
    Map<String, Map<String, String>> nodes = nodeEnvironments();
    assertEquals(3, nodes.size(), "three nodes");
    String database = "postgresql://" + postgres.get("POSTGRES_USER") + ":" + postgres.get("POSTGRES_PASSWORD")
        + "@postgres:5432/" + postgres.get("POSTGRES_DB");
    String upstream = Files.readString(Path.of("deploy/nginx/parley-upstream.conf"));
    for (Map.Entry<String, Map<String, String>> node : nodes.entrySet()) {
      Map<String, String> env = node.getValue();
      assertEquals(database, env.get("DATABASE_URL"), node.getKey() + " stores into the compose PostgreSQL");
      assertEquals(node.getKey(), env.get("CLUSTER_HOST"));
      for (String other : nodes.keySet()) {
        assertTrue(env.get("CLUSTER_MEMBERS").contains(other + ":" + env.get("HAZELCAST_PORT")),
            node.getKey() + " lists " + other);
      }
      Map<String, Object> dependsOn = (Map<String, Object>) services.get(node.getKey()).get("depends_on");
      assertEquals("service_healthy", ((Map<String, Object>) dependsOn.get("postgres")).get("condition"));
      assertTrue(upstream.contains("server " + node.getKey() + ":8080"), "the balancer sends to " + node.getKey());
      assertTrue(((Map<String, Object>) services.get("lb").get("depends_on")).containsKey(node.getKey()));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void compose_keeps_metrics_and_prometheus_off_the_public_network() throws IOException {
    Map<String, Map<String, Object>> services = services();
    Map<String, Object> prometheus = new Yaml().load(Files.readString(Path.of("deploy/prometheus/prometheus.yml")));
    List<String> targets = new ArrayList<>();
    for (Object job : (List<Object>) prometheus.get("scrape_configs")) {
      for (Object config : (List<Object>) ((Map<String, Object>) job).get("static_configs")) {
        targets.addAll((List<String>) ((Map<String, Object>) config).get("targets"));
      }
    }
    Map<String, Map<String, String>> nodes = nodeEnvironments();
    List<String> expected = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> node : nodes.entrySet()) {
      String port = node.getValue().get("METRICS_PORT");
      assertTrue(port != null && Integer.parseInt(port) > 0, node.getKey() + " serves /metrics on a port of its own");
      assertEquals("0.0.0.0", node.getValue().get("METRICS_HOST"), "reachable by Prometheus on the compose network");
      assertFalse(services.get(node.getKey()).containsKey("ports"), node.getKey() + " publishes no port");
      expected.add(node.getKey() + ":" + port);
    }
    assertEquals(expected, targets, "Prometheus scrapes every node's METRICS_PORT");
    List<Object> published = (List<Object>) services.get("prometheus").get("ports");
    assertFalse(published.isEmpty());
    for (Object port : published) {
      assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), "Prometheus on this host only, not " + port);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void compose_names_the_balancers_address_as_the_pages_origin() throws IOException {
    Map<String, Map<String, Object>> services = services();
    List<Object> lbPorts = (List<Object>) services.get("lb").get("ports");
    Matcher published = Pattern.compile("(?:[\\d.]+:)?(\\d+):80").matcher(String.valueOf(lbPorts.get(0)));
    assertTrue(published.matches(), "the balancer publishes its port 80: " + lbPorts);
    for (Map.Entry<String, Map<String, String>> node : nodeEnvironments().entrySet()) {
      List<String> origins = List.of(node.getValue().getOrDefault("PUBLIC_ORIGINS", "").split("\\s*,\\s*"));
      assertTrue(origins.contains("http://localhost:" + published.group(1)), node.getKey() + ": " + origins);
      assertEquals("true", node.getValue().get("TRUST_FORWARDED_FOR"), "nginx's X-Forwarded-* are trusted");
    }
  }

  @Test
  void the_image_runs_as_a_user_that_owns_its_data_directory_and_nothing_else() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
    int runtime = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("FROM ")) {
        runtime = i; // the last stage is the image that runs
      }
    }
    String image = String.join("\n", lines.subList(runtime, lines.size()));
    Matcher user = Pattern.compile("(?m)^USER (\\d+)(?::(\\d+))?$").matcher(image);
    assertTrue(user.find(), "a numeric USER, so that runAsNonRoot can check it:\n" + image);
    assertTrue(Integer.parseInt(user.group(1)) >= 1000, "not root, nor a system account: " + user.group(1));
    Matcher dataDir = Pattern.compile("(?m)^ENV DATA_DIR=(\\S+)$").matcher(image);
    assertTrue(dataDir.find(), "DATA_DIR set in the image");
    String dir = dataDir.group(1);
    int chown = image.indexOf("chown parley:parley " + dir);
    assertTrue(chown > 0, "the user owns " + dir);
    assertTrue(image.contains("--uid " + user.group(1)), "the parley user is uid " + user.group(1));
    assertTrue(chown < image.indexOf("VOLUME " + dir), "owned before VOLUME, or a new volume is root's");
    assertTrue(image.indexOf("USER ") > image.indexOf("VOLUME " + dir), "USER after the last root step");
  }

  @Test
  void the_compose_environment_runs_a_cluster_on_loopback(Vertx vertx) throws IOException {
    Map<String, Map<String, String>> composed = nodeEnvironments();
    Map<String, String> hazelcastPorts = new HashMap<>();
    composed.keySet().forEach(host -> hazelcastPorts.put(host, Integer.toString(Ports.free())));
    String database = Postgres.server().freshDatabase();
    List<Integer> httpPorts = new ArrayList<>();
    List<Integer> metricsPorts = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> node : composed.entrySet()) {
      Map<String, String> env = new HashMap<>(node.getValue());
      // The container names become loopback, each with ports of its own; the database, the tests' own.
      env.put("CLUSTER_HOST", "127.0.0.1");
      env.put("HAZELCAST_PORT", hazelcastPorts.get(node.getKey()));
      env.put("EVENTBUS_PORT", Integer.toString(Ports.free()));
      env.put("CLUSTER_MEMBERS", loopback(env.get("CLUSTER_MEMBERS"), hazelcastPorts));
      env.put("DATABASE_URL", database);
      env.put("HTTP_HOST", "127.0.0.1");
      // Each node is its own "balancer address" here: the test's clients reach it at 127.0.0.1:<its port>.
      int httpPort = Ports.free();
      env.put("HTTP_PORT", Integer.toString(httpPort));
      env.put("PUBLIC_ORIGINS", "http://127.0.0.1:" + httpPort);
      metricsPorts.add(Ports.free());
      env.put("METRICS_PORT", Integer.toString(metricsPorts.get(metricsPorts.size() - 1)));
      env.put("METRICS_HOST", "127.0.0.1");
      nodes.add(NodeProcess.start(workDir, env));
    }
    nodes.forEach(node -> httpPorts.add(node.awaitUp(120)));
    for (int i = 0; i < nodes.size(); i++) {
      assertEquals(200, status(metricsPorts.get(i), "/metrics"), "metrics on METRICS_PORT");
      assertEquals(404, status(httpPorts.get(i), "/metrics"), "not on the HTTP port");
    }
    TestClient alice = TestClient.user(vertx, httpPorts.get(0), "alice");
    TestClient carol = TestClient.user(vertx, httpPorts.get(2), "carol");
    clients.add(alice);
    clients.add(carol);
    alice.join("compose");
    carol.join("compose");
    alice.expect("presence");
    JsonObject said = alice.say("compose", "across the compose cluster");
    assertEquals(said.getLong("id"), carol.expectPast("message", "presence").getLong("id"));
  }

  private static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code parley1:5701,parley2:5701} with each host's own loopback port. */
  private static String loopback(String members, Map<String, String> ports) {
    List<String> mapped = new ArrayList<>();
    for (String member : members.split(",")) {
      Matcher m = Pattern.compile("([^:]+):\\d+").matcher(member.trim());
      assertTrue(m.matches(), member);
      mapped.add("127.0.0.1:" + ports.get(m.group(1)));
    }
    return String.join(",", mapped);
  }
}
