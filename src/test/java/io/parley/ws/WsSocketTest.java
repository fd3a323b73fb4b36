package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * What {@link WsTransport} does itself once it has taken a {@code /ws} socket over from Vert.x (docs/PROTOCOL.md,
 * "Transport"): answering pings, the close handshake, fragments, compression; and that Vert.x's WebSocket objects are
 * let go of, the reason it takes the socket over.
 */
class WsSocketTest extends ParleyServerTest {

  @Test
  void ping_from_the_client_is_answered_with_its_payload() throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = client.connect(node.httpPort(), "127.0.0.1", "/ws").await();
    Promise<Buffer> pong = Promise.promise();
    socket.pongHandler(pong::tryComplete);
    socket.writePing(Buffer.buffer("are you there")).await();
    assertEquals("are you there", pong.future().await(10, TimeUnit.SECONDS).toString());
    socket.close().await();
    client.close().await();
  }

  @Test
  void close_from_the_client_is_answered_with_its_code_and_releases_the_connection() throws Exception {
    TestClient alice = user("alice");
    alice.join("general");
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket bob = client.connect(node.httpPort(), "127.0.0.1", "/ws").await();
    bob.writeTextMessage("{\"type\":\"hello\",\"nick\":\"bob\"}");
    bob.writeTextMessage("{\"type\":\"join\",\"room\":\"general\"}");
    assertEquals("join", alice.expect("presence").getString("event"));
    Promise<Short> closed = Promise.promise();
    bob.closeHandler(v -> closed.complete(bob.closeStatusCode()));
    bob.close((short) 4000, "bye").await();
    assertEquals((short) 4000, closed.future().await(10, TimeUnit.SECONDS), "the server echoes the client's code");
    JsonObject left = alice.expect("presence");
    assertEquals("leave", left.getString("event"));
    assertEquals("bob", left.getString("nick"));
    client.close().await();
  }

  @Test
  void fragmented_message_is_reassembled() {
    TestClient alice = user("alice");
    alice.join("general");
    String send = new JsonObject().put("type", "send").put("room", "general").put("text", "é".repeat(3000)).encode();
    alice.sendFrames(WebSocketFrame.textFrame(send.substring(0, 10), false), send.substring(10));
    JsonObject message = alice.expect("message");
    assertEquals("é".repeat(3000), message.getString("text"));
  }

  @Test
  void compressed_client_chats() {
    WebSocketClientOptions deflate = new WebSocketClientOptions().setTryUsePerMessageCompression(true);
    TestClient alice = userWith("alice", deflate);
    TestClient bob = userWith("bob", deflate);
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    alice.say("general", "squeezed " + "z".repeat(2000));
    assertEquals("squeezed " + "z".repeat(2000), bob.expect("message").getString("text"));
  }

  /**
   * Vert.x's WebSocket keeps its upgrade request, response, headers and HTTP connection for the socket's life: about
   * 8 KB per idle connection. Counted on this JVM's heap (live objects: the histogram collects first) before and
   * after 40 more connections join; Parley's own transport is counted too, so that the test sees the connections.
   */
  @Test
  void upgraded_socket_keeps_none_of_vertx_websocket_objects() throws Exception {
    // Server-side classes only: the test's clients, on this JVM too, have WebSocket connections of their own.
    String[] vertxClasses = {"io.vertx.core.http.impl.ServerWebSocketImpl",
        "io.vertx.core.http.impl.Http1xServerConnection", "io.vertx.core.http.impl.Http1xServerRequest",
        "io.vertx.core.http.impl.Http1xServerResponse"};
    Map<String, Long> before = liveInstances();
    for (int i = 0; i < 40; i++) {
      user("user" + i).join("general");
    }
    Map<String, Long> after = liveInstances();
    String transport = WsTransport.class.getName();
    assertTrue(after.getOrDefault(transport, 0L) - before.getOrDefault(transport, 0L) >= 40,
        "40 more Parley transports: " + before.get(transport) + " -> " + after.get(transport));
    for (String vertxClass : vertxClasses) {
      long more = after.getOrDefault(vertxClass, 0L) - before.getOrDefault(vertxClass, 0L);
      assertTrue(more < 5, more + " more " + vertxClass + " alive with 40 more connections");
    }
  }

  private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)");

  /** Live instances per class on this JVM (the GC.class_histogram diagnostic command, as jcmd runs it). */
  private static Map<String, Long> liveInstances() throws Exception {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, Long> counts = new java.util.HashMap<>();
    Matcher row = HISTOGRAM_ROW.matcher(histogram);
    while (row.find()) {
      counts.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
    }
    return counts;
  }
}
