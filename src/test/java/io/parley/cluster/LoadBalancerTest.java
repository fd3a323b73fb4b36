package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.NodeTests;
import io.parley.support.Ports;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's load balancer, for real: Debian's nginx runs deploy/nginx/nginx.conf on loopback in
 * front of a two-node cluster. Only the listen port, the pid path and the upstream list differ from compose.
 */
class LoadBalancerTest {

  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  @TempDir
  Path dir;

  private TestCluster cluster;
  private Process nginx;
  private int port;

  @BeforeEach
  void start() throws Exception {
    assertTrue(Files.isExecutable(NGINX), "this test needs Debian's nginx: apt-get install -y nginx-light (.ci/test does)");
    cluster = TestCluster.start(2, new JsonObject());
    port = Ports.free();
    String conf = Files.readString(Path.of("deploy/nginx/nginx.conf"))
        .replace("listen 80;", "listen 127.0.0.1:" + port + ";")
        .replace("pid /tmp/nginx-parley.pid;", "pid " + dir.resolve("nginx.pid") + ";");
    String upstream = Files.readString(Path.of("deploy/nginx/parley-upstream.conf"))
        .replace("parley1:8080", "127.0.0.1:" + cluster.member(0).httpPort())
        .replace("parley2:8080", "127.0.0.1:" + cluster.member(1).httpPort())
        .replaceAll("(?m)^\\s*server parley3:8080.*$", "");
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Files.copy(Path.of("deploy/nginx/parley-proxy.conf"), dir.resolve("parley-proxy.conf"));
    Files.writeString(dir.resolve("parley-upstream.conf"), upstream);
    nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-e", "stderr", "-g", "daemon off;").redirectErrorStream(true)
        .redirectOutput(dir.resolve("nginx.log").toFile()).start();
    awaitHealthy();
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
    cluster.close();
  }

  /** nginx takes a moment to bind: poll /health through it, for at most 10 s. */
  private void awaitHealthy() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, metrics.statusCode(), "the balancer keeps /metrics to the nodes' own network");
        return;
      } catch (IOException e) {
        if (!nginx.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("nginx did not come up: " + Files.readString(dir.resolve("nginx.log")), e);
        }
        nginx.waitFor(100, TimeUnit.MILLISECONDS); // bounded poll while nginx binds
      }
    }
  }

  private TestClient viaBalancer(String nick) {
    TestClient client = TestClient.connect(cluster.member(0).vertx(), port);
    client.send(new JsonObject().put("type", "hello").put("nick", nick));
    return client;
  }

  @Test
  void websocket_chat_through_the_balancer_reaches_a_client_of_any_node() {
    TestClient alice = viaBalancer("alice");
    alice.expect("welcome");
    TestClient bob = cluster.user(1, "bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    alice.say("general", "through nginx");
    assertEquals("through nginx", bob.expect("message").getString("text"));
    bob.say("general", "and back");
    assertEquals("and back", alice.expect("message").getString("text"));
    alice.close();
  }

  /** The npm bridge client over each SockJS transport through nginx, and the Origin check behind it. */
  @TestFactory
  Stream<DynamicTest> bridge_through_the_balancer() {
    return NodeTests.run("balancer.test.mjs", Map.of("PARLEY_PORTS", port + "," + cluster.member(1).httpPort()), 120);
  }

  @Test
  void a_client_address_sticks_to_one_node() {
    String first;
    try (TestClient one = viaBalancer("one")) {
      first = one.expect("welcome").getString("node");
    }
    for (int i = 0; i < 5; i++) {
      try (TestClient again = viaBalancer("again" + i)) {
        assertEquals(first, again.expect("welcome").getString("node"), "same client address, same node");
      }
    }
  }
}
