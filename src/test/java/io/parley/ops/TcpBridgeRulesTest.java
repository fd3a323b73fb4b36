package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.parley.support.TcpConnections;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The TCP bridge refuses what the SockJS bridge refuses (docs/PROTOCOL.md, "TCP event-bus bridge"). */
class TcpBridgeRulesTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0)
        .put(Settings.RATE_LIMIT_PER_S.name(), 100_000).put(Settings.RATE_LIMIT_BURST.name(), 100_000);
  }

  @Test
  void tcp_bridge_refuses_unknown_addresses_publish_and_a_second_registration() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    BlockingQueue<JsonObject> frames = bridge.frames();

    bridge.write(new JsonObject().put("type", "send").put("address", "chat.follow").put("body", new JsonObject())
        .put("replyAddress", "r0"));
    assertEquals("access_denied", next(frames).getString("message"));

    bridge.write(new JsonObject().put("type", "register").put("address", "chat.room.tcp-rules"));
    bridge.write(new JsonObject().put("type", "send").put("address", "chat.join")
        .put("body", new JsonObject().put("room", "tcp-rules").put("nick", "tcpuser")).put("replyAddress", "r1"));
    JsonObject joined = nextNotOfTheRoom(frames);
    assertEquals("r1", joined.getString("address"));
    assertEquals("tcp-rules", joined.getJsonObject("body").getString("room"));

    bridge.write(new JsonObject().put("type", "register").put("address", "chat.room.tcp-rules"));
    assertEquals("address_already_registered", nextNotOfTheRoom(frames).getString("message"), "a second registration");
    bridge.write(new JsonObject().put("type", "publish").put("address", "chat.send")
        .put("body", new JsonObject().put("room", "tcp-rules").put("text", "x")));
    assertEquals("rejected", nextNotOfTheRoom(frames).getString("message"), "publish");

    // One registration, so a /ws user's message arrives once.
    TestClient web = user("webuser");
    web.join("tcp-rules");
    web.say("tcp-rules", "once");
    JsonObject event;
    do {
      event = next(frames);
    } while (!"message".equals(event.getJsonObject("body").getString("type")));
    assertEquals("once", event.getJsonObject("body").getString("text"));
    assertTrue(frames.poll(300, TimeUnit.MILLISECONDS) == null, "no second copy");
    bridge.close();
  }

  @Test
  void tcp_bridge_frame_over_the_limit_closes_the_connection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.tcpBridgePort())) {
      socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestClient.WAIT_SECONDS));
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(1 << 30); // announces 1 GiB: refused before anything is buffered
      out.write(new byte[1000]);
      out.flush();
      assertEquals(-1, socket.getInputStream().read(), "the node closed the connection");
    }
  }

  @Test
  void tcp_bridge_client_that_stops_reading_is_dropped() throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", node.tcpBridgePort()));
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    writeTo(out, new JsonObject().put("type", "register").put("address", "chat.room.stuck"));
    writeTo(out, new JsonObject().put("type", "send").put("address", "chat.join")
        .put("body", new JsonObject().put("room", "stuck").put("nick", "stucky")).put("replyAddress", "r1"));
    // From now on it never reads; a /ws member fills the room.
    TestClient web = user("filler");
    web.join("stuck");
    String text = "x".repeat(4000);
    for (int i = 0; i < 400; i++) {
      web.send(new JsonObject().put("type", "send").put("room", "stuck").put("text", text));
    }
    Eventually.await(vertx, () -> TcpConnections.established(node.tcpBridgePort()) == 0,
        "the stuck connection is closed as a slow consumer and its TCP connection dropped");
    socket.close();
  }

  private static void writeTo(DataOutputStream out, JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }


  /** The next frame that is not a room event (its own presence arrives at any time). */
  private static JsonObject nextNotOfTheRoom(BlockingQueue<JsonObject> frames) throws InterruptedException {
    JsonObject frame;
    do {
      frame = next(frames);
    } while ("chat.room.tcp-rules".equals(frame.getString("address")));
    return frame;
  }

  private static JsonObject next(BlockingQueue<JsonObject> frames) throws InterruptedException {
    JsonObject frame = frames.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(frame != null, "a frame from the bridge");
    return frame;
  }
}
