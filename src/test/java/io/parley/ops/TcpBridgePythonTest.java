package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python example ({@code examples/python/parley_chat.py}, standard library only) chats through the TCP
 * event-bus bridge with a {@code /ws} user, in both directions; the protocol is the SockJS bridge's.
 */
class TcpBridgePythonTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @Test
  void tcp_bridge_python_example_chats_with_a_ws_user() throws Exception {
    TestClient web = user("webby");
    web.join("py-room");
    Process python = new ProcessBuilder("python3", Path.of("examples", "python", "parley_chat.py").toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(node.tcpBridgePort()), "--nick", "snake", "--room", "py-room")
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(python.getInputStream(),
        StandardCharsets.UTF_8)).lines().forEach(lines::add), "python-output");
    reader.setDaemon(true);
    reader.start();
    try (Writer stdin = new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8)) {
      assertEquals("* joined py-room as snake: snake, webby", awaitLine(lines, "* joined"));
      assertEquals("snake", web.expectPast("presence", "typing").getString("nick"));

      stdin.write("hello from python\n");
      stdin.flush();
      JsonObject message = web.expectPast("message", "presence", "typing");
      assertEquals("snake", message.getString("from"));
      assertEquals("hello from python", message.getString("text"));

      web.say("py-room", "hi snake");
      assertEquals("webby: hi snake", awaitLine(lines, "webby:"));
    }
    assertTrue(python.waitFor(10, TimeUnit.SECONDS), "the example ends when its input does");
    assertEquals("leave", web.expectPast("presence", "typing", "message").getString("event"));
  }

  private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        if (line.startsWith(prefix)) {
          return line;
        }
        seen.append(line).append('\n');
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "' from the example; it said:\n" + seen);
  }
}
