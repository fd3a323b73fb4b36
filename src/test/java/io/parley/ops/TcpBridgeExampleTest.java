package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An example client of the TCP event-bus bridge (examples/, docs/PROTOCOL.md "TCP event-bus bridge"), run as its
 * own process as a user would run it, chats with a {@code /ws} user in both directions: on a plain port, with an
 * API key where the bridge requires one, and over TLS; refused, it says why and exits 1. Each language's example is
 * a subclass that names the command to run it.
 */
abstract class TcpBridgeExampleTest extends ParleyServerTest {

  private static final String KEY = "example-api-key-0123456789";

  /** Nodes with other settings, each in a Vertx of its own: two nodes on one event bus would share its consumers. */
  private final List<Vertx> otherNodes = new ArrayList<>();
  private final List<Process> examples = new ArrayList<>();

  /** The command that runs the example, before its options. */
  protected abstract List<String> command();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @AfterEach
  void stopExamplesAndOtherNodes() {
    examples.forEach(Process::destroyForcibly);
    otherNodes.forEach(other -> other.close().await());
  }

  @Test
  void tcp_bridge_example_chats_with_a_ws_user() throws Exception {
    chatsBothWays(node, "127.0.0.1");
  }

  @Test
  void tcp_bridge_example_with_an_api_key_chats_where_the_bridge_requires_one() throws Exception {
    ParleyNode guarded = startNode(requiringAKey());
    chatsBothWays(guarded, "127.0.0.1", "--api-key", KEY);
  }

  @Test
  void tcp_bridge_example_without_a_key_is_told_the_bridge_wants_one() throws Exception {
    ParleyNode guarded = startNode(requiringAKey());
    Example example = run(guarded, "127.0.0.1");
    assertEquals("! auth_required", example.awaitLine("!"));
    assertEquals(1, example.awaitExit(), "refused, the example exits 1");
  }

  @Test
  void tcp_bridge_example_with_a_wrong_key_is_told_auth_failed() throws Exception {
    ParleyNode guarded = startNode(requiringAKey());
    Example example = run(guarded, "127.0.0.1", "--api-key", "not-the-key-0123456789");
    assertEquals("! auth_failed", example.awaitLine("!"));
    assertEquals(1, example.awaitExit(), "refused, the example exits 1");
  }

  @Test
  void tcp_bridge_example_over_tls_trusts_the_given_certificate() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    try {
      ParleyNode tls = startNode(overrides().put(Settings.TCP_BRIDGE_TLS_CERT.name(), certificate.certificatePath())
          .put(Settings.TCP_BRIDGE_TLS_KEY.name(), certificate.privateKeyPath()));
      chatsBothWays(tls, "localhost", "--ca", certificate.certificatePath());
    } finally {
      certificate.delete();
    }
  }

  @Test
  void tcp_bridge_example_whose_nick_is_taken_says_so() throws Exception {
    TestClient web = user("taken");
    web.join("example-room");
    Example example = run(node, "127.0.0.1", "--nick-override", "taken");
    assertTrue(example.awaitLine("!").startsWith("! could not join example-room: nick_taken"));
    assertEquals(1, example.awaitExit(), "refused, the example exits 1");
  }

  private JsonObject requiringAKey() {
    return overrides().put(Settings.TCP_BRIDGE_AUTH.name(), "required").put(Settings.API_KEYS.name(), KEY);
  }

  private ParleyNode startNode(JsonObject settings) {
    Vertx own = Vertx.vertx();
    otherNodes.add(own);
    return ParleyNode.deploy(own, testConfig(settings)).await();
  }

  /** The example joins a room with a {@code /ws} user in it; each hears what the other says; it leaves at EOF. */
  private void chatsBothWays(ParleyNode server, String host, String... options) throws Exception {
    TestClient web = TestClient.user(vertx, server.httpPort(), "webby");
    try {
      web.join("example-room");
      Example example = run(server, host, options);
      assertEquals("* joined example-room as ex: ex, webby", example.awaitLine("*"));
      assertEquals("ex", web.expectPast("presence", "typing").getString("nick"));

      example.type("hello from the example");
      JsonObject message = web.expectPast("message", "presence", "typing");
      assertEquals("ex", message.getString("from"));
      assertEquals("hello from the example", message.getString("text"));

      web.say("example-room", "hi ex");
      assertEquals("webby: hi ex", example.awaitLine("webby:"));

      example.endInput();
      assertEquals(0, example.awaitExit(), "the example ends when its input does");
      assertEquals("leave", web.expectPast("presence", "typing", "message").getString("event"));
    } finally {
      web.close();
    }
  }

  /**
   * Runs the example as nick {@code ex} in {@code example-room} (the test's own option {@code --nick-override}
   * names another nick), its output read line by line.
   */
  private Example run(ParleyNode server, String host, String... options) throws IOException {
    List<String> command = new ArrayList<>(command());
    String nick = "ex";
    command.addAll(List.of("--host", host, "--port", Integer.toString(server.tcpBridgePort()), "--room",
        "example-room"));
    for (int i = 0; i < options.length; i++) {
      if (options[i].equals("--nick-override")) {
        nick = options[++i];
      } else {
        command.add(options[i]);
      }
    }
    command.addAll(List.of("--nick", nick));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    examples.add(process);
    return new Example(process);
  }

  /** A running example: what it printed, its input. */
  private static final class Example {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer stdin;
    private final StringBuilder seen = new StringBuilder();

    Example(Process process) {
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)).lines().forEach(lines::add), "example-output");
      reader.setDaemon(true);
      reader.start();
    }

    void type(String line) throws IOException {
      stdin.write(line + "\n");
      stdin.flush();
    }

    void endInput() throws IOException {
      stdin.close();
    }

    /** The next line that starts with {@code prefix}; a Java example compiles itself first, hence 30 s. */
    String awaitLine(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          seen.append(line).append('\n');
          if (line.startsWith(prefix)) {
            return line;
          }
        }
      }
      throw new AssertionError("no line starting with '" + prefix + "' from the example; it said:\n" + seen);
    }

    int awaitExit() throws InterruptedException {
      assertTrue(process.waitFor(15, TimeUnit.SECONDS), () -> "the example did not exit; it said:\n" + seen);
      return process.exitValue();
    }
  }
}
