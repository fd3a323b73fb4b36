package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.NodeProcess;
import io.parley.support.Ports;
import io.parley.support.Postgres;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * upstream naming them all), and the nodes' own environment, with the compose hosts mapped to loopback and the
 * database to a fresh one of the tests' PostgreSQL, runs a chatting cluster.
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
  void the_compose_environment_runs_a_cluster_on_loopback(Vertx vertx) throws IOException {
    Map<String, Map<String, String>> composed = nodeEnvironments();
    Map<String, String> hazelcastPorts = new HashMap<>();
    composed.keySet().forEach(host -> hazelcastPorts.put(host, Integer.toString(Ports.free())));
    String database = Postgres.server().freshDatabase();
    List<Integer> httpPorts = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> node : composed.entrySet()) {
      Map<String, String> env = new HashMap<>(node.getValue());
      // The container names become loopback, each with ports of its own; the database, the tests' own.
      env.put("CLUSTER_HOST", "127.0.0.1");
      env.put("HAZELCAST_PORT", hazelcastPorts.get(node.getKey()));
      env.put("EVENTBUS_PORT", Integer.toString(Ports.free()));
      env.put("CLUSTER_MEMBERS", loopback(env.get("CLUSTER_MEMBERS"), hazelcastPorts));
      env.put("DATABASE_URL", database);
      env.put("HTTP_HOST", "127.0.0.1");
      env.put("HTTP_PORT", "0");
      nodes.add(NodeProcess.start(workDir, env));
    }
    nodes.forEach(node -> httpPorts.add(node.awaitUp(120)));
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
