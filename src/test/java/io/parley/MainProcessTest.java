package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.NodeProcess;
import io.parley.support.Ports;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Main} as an operator runs it: a separate JVM, configured by environment variables and system
 * properties, started from a directory that has no conf/ of its own.
 */
class MainProcessTest {

  private final List<NodeProcess> nodes = new ArrayList<>();

  @TempDir
  Path workDir;

  @AfterEach
  void stopAll() {
    nodes.forEach(NodeProcess::close);
  }

  private NodeProcess start(Map<String, String> env, String... systemProperties) {
    NodeProcess node = NodeProcess.start(workDir, env, systemProperties);
    nodes.add(node);
    return node;
  }

  static int status(int port, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }

  @Test
  void runs_on_the_port_from_the_environment_and_serves_health_and_page() throws Exception {
    int port;
    port = Ports.free();
    NodeProcess node = start(Map.of("HTTP_PORT", Integer.toString(port), "HTTP_HOST", "127.0.0.1"));
    assertEquals(port, node.awaitUp());
    assertEquals(200, status(port, "/health"));
    assertEquals(200, status(port, "/"));

    node.terminate();
    node.awaitLine(Pattern.compile("Parley stopped"));
    assertTrue(node.awaitExit(15), "exits after SIGTERM");
  }

  @Test
  void logs_name_the_node_in_text_and_in_json() throws Exception {
    // The packaged logback.xml, not the tests' logback-test.xml that the test classpath would pick first.
    String packaged = "-Dlogback.configurationFile=logback.xml";
    NodeProcess text = start(Map.of("HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "NODE_NAME", "node-a"), packaged);
    text.awaitLine(Pattern.compile("INFO  \\[node-a\\] .*Parley is up"));
    text.terminate();
    assertTrue(text.awaitExit(15));

    NodeProcess json = start(Map.of("HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "NODE_NAME", "node-b",
        "PARLEY_LOG_FORMAT", "json"), packaged);
    String line = json.awaitLine(Pattern.compile("^\\{.*Parley is up.*")).group();
    io.vertx.core.json.JsonObject entry = new io.vertx.core.json.JsonObject(line);
    assertEquals("INFO", entry.getString("level"));
    assertEquals("io.parley.Main", entry.getString("loggerName"));
    assertEquals("node-b", entry.getJsonObject("context").getJsonObject("properties").getString("node"));
    json.terminate();
    assertTrue(json.awaitExit(15));
  }

  @Test
  void a_taken_port_fails_the_start_with_a_non_zero_exit() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      NodeProcess node = start(Map.of("HTTP_PORT", Integer.toString(taken.getLocalPort())));
      node.awaitLine(Pattern.compile("Parley failed to start"));
      assertTrue(node.awaitExit(15));
      assertNotEquals(0, node.process().exitValue());
    }
  }

  @Test
  void system_properties_override_the_environment() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      NodeProcess node = start(Map.of("HTTP_PORT", Integer.toString(taken.getLocalPort())), "-DHTTP_PORT=0",
          "-DHTTP_HOST=127.0.0.1");
      int port = node.awaitUp();
      assertNotEquals(taken.getLocalPort(), port);
      assertEquals(200, status(port, "/health"));
    }
  }

  @Test
  void a_bad_setting_is_named_and_exits_with_2() {
    NodeProcess node = start(Map.of("HISTORY_SIZE", "plenty"));
    node.awaitLine(Pattern.compile("HISTORY_SIZE"));
    assertTrue(node.awaitExit(15));
    assertEquals(2, node.process().exitValue());
  }
}
