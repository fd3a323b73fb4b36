package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Main} as an operator runs it: a separate JVM, configured by environment variables and system
 * properties, started from a directory that has no conf/ of its own.
 */
class MainProcessTest {

  private static final Pattern UP = Pattern.compile("Parley is up: http://[^:]+:(\\d+)/");
  private final List<Process> processes = new ArrayList<>();

  @TempDir
  Path workDir;

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process process : processes) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** A running Main and the lines it has printed so far. */
  private record Node(Process process, BlockingQueue<String> lines, Thread reader) {

    /** Waits for a line matching {@code pattern}; fails on exit or after 30 s. */
    Matcher awaitLine(Pattern pattern) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          Matcher matcher = pattern.matcher(line);
          if (matcher.find()) {
            return matcher;
          }
        } else if (!reader.isAlive() && lines.isEmpty()) {
          throw new AssertionError("process exited with " + process.exitValue() + " before printing " + pattern);
        }
      }
      throw new AssertionError("no line matching " + pattern + " within 30 s");
    }
  }

  private Node start(Map<String, String> env, String... systemProperties) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(systemProperties));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("HTTP_") || key.equals("PARLEY_CONFIG"));
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // the process ended, or stopAll() closed its output
      }
    }, "main-process-output");
    reader.setDaemon(true);
    reader.start();
    return new Node(process, lines, reader);
  }

  private static int status(int port, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }

  @Test
  void runs_on_the_port_from_the_environment_and_serves_health_and_page() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Node node = start(Map.of("HTTP_PORT", Integer.toString(port), "HTTP_HOST", "127.0.0.1"));
    assertEquals(port, Integer.parseInt(node.awaitLine(UP).group(1)));
    assertEquals(200, status(port, "/health"));
    assertEquals(200, status(port, "/"));

    node.process().toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
    node.awaitLine(Pattern.compile("Parley is shutting down"));
    assertTrue(node.process().waitFor(15, TimeUnit.SECONDS), "exits after SIGTERM");
  }

  @Test
  void a_taken_port_fails_the_start_with_a_non_zero_exit() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Node node = start(Map.of("HTTP_PORT", Integer.toString(taken.getLocalPort())));
      node.awaitLine(Pattern.compile("Parley failed to start"));
      assertTrue(node.process().waitFor(15, TimeUnit.SECONDS));
      assertNotEquals(0, node.process().exitValue());
    }
  }

  @Test
  void system_properties_override_the_environment() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Node node = start(Map.of("HTTP_PORT", Integer.toString(taken.getLocalPort())), "-DHTTP_PORT=0",
          "-DHTTP_HOST=127.0.0.1");
      int port = Integer.parseInt(node.awaitLine(UP).group(1));
      assertNotEquals(taken.getLocalPort(), port);
      assertEquals(200, status(port, "/health"));
    }
  }

  @Test
  void a_bad_setting_is_named_and_exits_with_2() throws Exception {
    Node node = start(Map.of("HISTORY_SIZE", "plenty"));
    node.awaitLine(Pattern.compile("HISTORY_SIZE"));
    assertTrue(node.process().waitFor(15, TimeUnit.SECONDS));
    assertEquals(2, node.process().exitValue());
  }
}
