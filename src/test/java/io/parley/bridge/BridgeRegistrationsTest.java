package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.RawBridge;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a bridge socket holds on its node, seen from the node: each registered room is followed while registered,
 * and a closed socket, a refused registration or a second one of the same room leaves nothing behind. Speaks
 * the bridge protocol over SockJS's raw WebSocket transport ({@link RawBridge}).
 */
class BridgeRegistrationsTest extends ParleyServerTest {

  private final List<RawBridge> clients = new ArrayList<>();

  private RawBridge bridgeClient() {
    RawBridge client = RawBridge.connect(vertx, node.httpPort());
    clients.add(client);
    return client;
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RawBridge::closeClient);
  }

  private int roomsServed() {
    return node.rooms();
  }

  /** Waits, at most 10 s, polling every 20 ms, for the node to settle on {@code expected} rooms. */
  private void awaitRoomsServed(int expected) {
    Eventually.await(vertx, () -> roomsServed() == expected, "rooms the node serves: expected " + expected);
  }

  @Test
  void a_registered_room_is_followed_until_unregistered_or_closed() {
    RawBridge carol = bridgeClient();
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
  void two_sockets_follow_one_room_and_the_last_one_out_ends_it() {
    RawBridge carol = bridgeClient();
    RawBridge dave = bridgeClient();
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
    RawBridge carol = bridgeClient();
    carol.register("chat.room.not a room");
    assertEquals("access_denied", carol.next().getString("body"));
    carol.register("chat.room.a").register("chat.room.a");
    assertEquals("address_already_registered", carol.next().getString("body"));
    assertEquals(1, roomsServed());
    carol.close();
    awaitRoomsServed(0);
  }
}
