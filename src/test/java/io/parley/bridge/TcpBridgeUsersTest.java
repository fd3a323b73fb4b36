package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md, "Users, devices, private rooms and direct messages", over the TCP event-bus bridge: {@code chat.hello}
 * and its session, a private room that a {@code /ws} user may join only once invited, and the user's frames on the
 * {@code chat.user} address.
 */
class TcpBridgeUsersTest extends ParleyServerTest {

  private final List<TcpBridgeClient> clients = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @AfterEach
  void closeTcpClients() {
    clients.forEach(TcpBridgeClient::close);
  }

  private TcpBridgeClient tcpClient() {
    TcpBridgeClient client = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    clients.add(client);
    return client;
  }

  private static JsonObject fields(String room) {
    return new JsonObject().put("room", room);
  }

  @Test
  void tcp_bridge_hello_private_room_and_user_frames() {
    TcpBridgeClient ada = tcpClient();

    // chat.user before the socket is anyone: refused.
    ada.register("chat.user");
    assertEquals("access_denied", ada.refusal().getString("message"));

    JsonObject welcome = ada.request("chat.hello", new JsonObject().put("nick", "ada"));
    assertEquals("ada", welcome.getString("nick"));
    String session = welcome.getString("session");
    assertNotNull(session, welcome::encode);
    assertNotNull(welcome.getString("node"), welcome::encode);
    ada.register("chat.user");
    ada.request("chat.rooms", new JsonObject()); // the registration has taken effect (envelopes are served in order)
    ada.expectNoRefusal();

    // A private room, created by ada's join.
    ada.register("chat.room.ops");
    JsonObject created = ada.request("chat.join", fields("ops").put("visibility", "private"));
    assertEquals("private", created.getString("kind"), created::encode);
    assertEquals("ada", created.getString("owner"), created::encode);
    assertEquals(new JsonArray().add("ada"), created.getJsonArray("members"));
    ada.request("chat.send", fields("ops").put("text", "secret"));

    // A /ws user of another nick is kept out...
    TestClient bob = user("bob");
    bob.send(new JsonObject().put("type", "join").put("room", "ops")).expectError("forbidden");
    bob.send(new JsonObject().put("type", "history").put("room", "ops")).expectError("forbidden");

    // ... until invited.
    JsonObject invitedReply = ada.request("chat.invite", fields("ops").put("nick", "bob"));
    assertEquals("bob", invitedReply.getString("nick"), invitedReply::encode);
    assertEquals("ada", invitedReply.getString("by"), invitedReply::encode);
    assertEquals("private", invitedReply.getString("kind"), invitedReply::encode);
    JsonObject invited = bob.expect("invited");
    assertEquals("ops", invited.getString("room"));
    assertEquals("bob", invited.getString("nick"));
    assertEquals("ada", invited.getString("by"));
    assertEquals("private", invited.getString("kind"));
    JsonObject joined = bob.join("ops");
    assertEquals(new JsonArray().add("ada").add("bob"), joined.getJsonArray("members"));
    assertEquals("secret", joined.getJsonArray("history").getJsonObject(0).getString("text"));
    JsonObject hi = bob.say("ops", "hi ada");
    assertEquals(hi, ada.nextMessageAfter("chat.room.ops", hi.getLong("id") - 1),
        "the room's message reaches the TCP socket, as /ws sent it");

    // The same user on a second TCP socket, with the session: ada's first socket hears its join.
    TcpBridgeClient second = tcpClient();
    JsonObject again = second.request("chat.hello", new JsonObject().put("nick", "ada").put("session", session));
    assertEquals("ada", again.getString("nick"));
    TcpBridgeClient stranger = tcpClient();
    JsonObject taken = stranger.requestFrame("chat.hello", new JsonObject().put("nick", "ada"));
    assertEquals("err", taken.getString("type"), taken::encode);
    assertEquals(400, taken.getInteger("failureCode"), taken::encode);
    assertEquals("nick_taken", taken.getString("message").split(" ")[0], taken::encode);

    JsonObject secondJoined = second.request("chat.join", fields("ops"));
    assertEquals(new JsonArray().add("ada").add("bob"), secondJoined.getJsonArray("members"), "ada is listed once");
    assertEquals(new JsonObject().put("type", "device").put("event", "join").put("room", "ops"),
        ada.nextBodyOf("chat.user"));
    // The second join made no presence: bob's next frame is his own message.
    bob.say("ops", "after ada's second socket");
  }

  /**
   * A client of the TCP bridge: 4-byte big-endian length, then that many bytes of UTF-8 JSON, both ways. Frames are
   * queued as they come; a test takes them by address, in order, keeping the others for later.
   */
  private static final class TcpBridgeClient {

    private final NetClient client;
    private final NetSocket socket;
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    /** Frames received and passed over while looking for another address, oldest first. */
    private final List<JsonObject> kept = new ArrayList<>();
    private long requests;

    private TcpBridgeClient(NetClient client, NetSocket socket) {
      this.client = client;
      this.socket = socket;
      RecordParser parser = RecordParser.newFixed(4);
      parser.handler(new Handler<>() {
        private int length = -1;

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
    }

    static TcpBridgeClient connect(Vertx vertx, int port) {
      NetClient client = vertx.createNetClient();
      return new TcpBridgeClient(client, client.connect(port, "127.0.0.1").await());
    }

    void write(JsonObject frame) {
      Buffer json = frame.toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json)).await();
    }

    void register(String address) {
      write(new JsonObject().put("type", "register").put("address", address));
    }

    /** Sends a request; returns its answer frame ({@code message} with a body, or {@code err}). */
    JsonObject requestFrame(String address, JsonObject body) {
      String replyAddress = "r" + (++requests);
      write(new JsonObject().put("type", "send").put("address", address).put("body", body)
          .put("replyAddress", replyAddress));
      return next(frame -> replyAddress.equals(frame.getString("address")), "the answer to " + address);
    }

    /** Sends a request that must succeed; returns its answer's body. */
    JsonObject request(String address, JsonObject body) {
      JsonObject answer = requestFrame(address, body);
      assertEquals("message", answer.getString("type"), () -> address + " " + body.encode() + " answered " + answer.encode());
      return answer.getJsonObject("body");
    }

    /** The next refusal without a reply address ({@code {"type":"err","message":...}}). */
    JsonObject refusal() {
      return next(frame -> "err".equals(frame.getString("type")) && frame.getString("address") == null, "a refusal");
    }

    /** No refusal has come so far (call after a request's answer: everything sent before it has been served). */
    void expectNoRefusal() {
      frames.drainTo(kept);
      for (JsonObject frame : kept) {
        assertTrue(!"err".equals(frame.getString("type")) || frame.getString("address") != null,
            () -> "refused: " + frame.encode());
      }
    }

    /** The body of the next frame delivered to {@code address}. */
    JsonObject nextBodyOf(String address) {
      return next(frame -> address.equals(frame.getString("address")), "a frame to " + address).getJsonObject("body");
    }

    /**
     * The next {@code message} of a room address's events with an id above {@code lastId} (presence, typing and older
     * messages passed over).
     */
    JsonObject nextMessageAfter(String address, long lastId) {
      while (true) {
        JsonObject body = next(frame -> address.equals(frame.getString("address"))
            && "message".equals(frame.getJsonObject("body").getString("type")), "a message on " + address)
            .getJsonObject("body");
        if (body.getLong("id") > lastId) {
          return body;
        }
      }
    }

    private JsonObject next(java.util.function.Predicate<JsonObject> wanted, String what) {
      for (Iterator<JsonObject> it = kept.iterator(); it.hasNext();) {
        JsonObject frame = it.next();
        if (wanted.test(frame)) {
          it.remove();
          return frame;
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
      while (true) {
        JsonObject frame;
        try {
          frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        if (frame == null) {
          throw new AssertionError("no " + what + " within " + TestClient.WAIT_SECONDS + " s; received " + kept);
        }
        if (wanted.test(frame)) {
          return frame;
        }
        kept.add(frame);
      }
    }

    void close() {
      try {
        socket.close().await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
        client.close().await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("TCP client did not close", e);
      }
    }
  }
}
