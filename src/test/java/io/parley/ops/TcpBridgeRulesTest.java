package io.parley.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The TCP bridge refuses what the SockJS bridge refuses (docs/PROTOCOL.md, "TCP event-bus bridge"). */
class TcpBridgeRulesTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @Test
  void tcp_bridge_refuses_unknown_addresses_publish_and_a_second_registration() throws Exception {
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    NetSocket socket = vertx.createNetClient().connect(node.tcpBridgePort(), "127.0.0.1").await();
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new io.vertx.core.Handler<>() {
      int length = -1;

      @Override
      public void handle(Buffer chunk) {
        if (length < 0) {
          length = chunk.getInt(0);
          parser.fixedSizeMode(length);
        } else {
          frames.add(new JsonObject(chunk));
          length = -1;
          parser.fixedSizeMode(4);
        }
      }
    });
    socket.handler(parser);

    write(socket, new JsonObject().put("type", "send").put("address", "chat.hello").put("body", new JsonObject())
        .put("replyAddress", "r0"));
    assertEquals("access_denied", next(frames).getString("message"));

    write(socket, new JsonObject().put("type", "register").put("address", "chat.room.tcp-rules"));
    write(socket, new JsonObject().put("type", "send").put("address", "chat.join")
        .put("body", new JsonObject().put("room", "tcp-rules").put("nick", "tcpuser")).put("replyAddress", "r1"));
    JsonObject joined = nextNotOfTheRoom(frames);
    assertEquals("r1", joined.getString("address"));
    assertEquals("tcp-rules", joined.getJsonObject("body").getString("room"));

    write(socket, new JsonObject().put("type", "register").put("address", "chat.room.tcp-rules"));
    assertEquals("address_already_registered", nextNotOfTheRoom(frames).getString("message"), "a second registration");
    write(socket, new JsonObject().put("type", "publish").put("address", "chat.send")
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
    socket.close().await();
  }

  private static void write(NetSocket socket, JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
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
