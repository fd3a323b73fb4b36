package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a bridge socket holds on its node, seen from the node: each registered room is relayed while registered,
 * and a closed socket, a refused registration or a second one of the same room leaves nothing behind. Speaks
 * the bridge protocol over SockJS's raw WebSocket transport ({@code /eventbus/websocket}: one JSON bridge frame
 * per WebSocket message, without SockJS's framing).
 */
class BridgeRelayTest extends ParleyServerTest {

  private final List<WebSocketClient> clients = new ArrayList<>();

  /** A raw bridge socket: JSON bridge frames, one per text message, queued as they come. */
  private final class RawBridge {
    final WebSocket socket;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();

    RawBridge() {
      WebSocketClient client = vertx.createWebSocketClient();
      clients.add(client);
      socket = client.connect(node.httpPort(), "127.0.0.1", "/eventbus/websocket").await();
      // The bridge writes its frames as binary messages on this transport.
      socket.binaryMessageHandler(data -> frames.add(new JsonObject(data)));
    }

    RawBridge register(String address) {
      return write(new JsonObject().put("type", "register").put("address", address));
    }

    RawBridge unregister(String address) {
      return write(new JsonObject().put("type", "unregister").put("address", address));
    }

    /** Sends a request and returns its reply's body; the socket's events before it have all taken effect. */
    JsonObject request(String address, JsonObject body) {
      String replyAddress = "r" + System.nanoTime();
      write(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
      while (true) {
        JsonObject frame = next();
        if (replyAddress.equals(frame.getString("address"))) {
          return frame.getJsonObject("body");
        }
      }
    }

    JsonObject next() {
      try {
        JsonObject frame = frames.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
        if (frame == null) {
          throw new AssertionError("no bridge frame within " + TestClient.WAIT_SECONDS + " s");
        }
        return frame;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    private RawBridge write(JsonObject frame) {
      socket.writeTextMessage(frame.encode()).await();
      return this;
    }

    void close() {
      socket.close().await();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(client -> client.close().await());
  }

  private int roomsServed() {
    return node.fanout().rooms();
  }

  /** Waits, at most 10 s, polling every 20 ms, for the node to settle on {@code expected} rooms. */
  private void awaitRoomsServed(int expected) {
    IntSupplier served = this::roomsServed;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
    while (served.getAsInt() != expected && System.nanoTime() < deadline) {
      vertx.timer(20).await();
    }
    assertEquals(expected, served.getAsInt(), "rooms the node serves");
  }

  @Test
  void a_registered_room_is_relayed_until_unregistered_or_closed() {
    RawBridge carol = new RawBridge();
    carol.register("chat.room.a").register("chat.room.b");
    carol.request("chat.join", new JsonObject().put("room", "a").put("nick", "carol"));
    assertEquals(2, roomsServed());
    carol.unregister("chat.room.b");
    carol.request("chat.rooms", new JsonObject());
    assertEquals(1, roomsServed());
    carol.close();
    awaitRoomsServed(0);
  }

  @Test
  void two_sockets_share_a_relay_and_the_last_one_out_ends_it() {
    RawBridge carol = new RawBridge();
    RawBridge dave = new RawBridge();
    carol.register("chat.room.a").request("chat.rooms", new JsonObject());
    dave.register("chat.room.a").request("chat.rooms", new JsonObject());
    assertEquals(1, roomsServed());
    carol.close();
    dave.request("chat.rooms", new JsonObject());
    assertEquals(1, roomsServed(), "dave still registers the room");
    dave.close();
    awaitRoomsServed(0);
  }

  @Test
  void refused_and_repeated_registrations_leave_nothing_behind() {
    RawBridge carol = new RawBridge();
    carol.register("chat.room.not a room");
    assertEquals("access_denied", carol.next().getString("body"));
    carol.register("chat.room.a").register("chat.room.a");
    assertEquals("address_already_registered", carol.next().getString("body"));
    assertEquals(1, roomsServed());
    carol.close();
    awaitRoomsServed(0);
  }
}
