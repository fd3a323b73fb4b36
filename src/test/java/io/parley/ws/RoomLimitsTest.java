package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A node's memory does not grow with the rooms ever created: creating rooms is limited per client address and in
 * all, reading a room that does not exist creates nothing, and a room nobody uses leaves the node's memory.
 */
class RoomLimitsTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.ROOM_CREATE_PER_MIN.name(), 3).put(Settings.MAX_ROOMS.name(), 5)
        .put(Settings.ROOM_IDLE_EVICT_S.name(), 1);
  }

  @Test
  void too_many_new_rooms() {
    TestClient alice = user("alice");
    alice.join("r1");
    alice.join("r2");
    alice.join("r3");
    alice.send(new JsonObject().put("type", "join").put("room", "r4").put("ref", "j4"));
    assertEquals("j4", alice.expectError("too_many_new_rooms").getString("ref"));
    alice.send(new JsonObject().put("type", "leave").put("room", "r1"));
    alice.expect("left");
    alice.join("r1"); // an existing room: no creation, no limit
  }

  /** A client from another loopback address (127.0.0.x): the node counts it apart. */
  private TestClient userFrom(String address, String nick) {
    return userWith(nick, new io.vertx.core.http.WebSocketClientOptions().setLocalAddress(address));
  }

  @Test
  void room_creations_are_counted_per_client_address() {
    TestClient alice = user("alice");
    for (int i = 0; i < 3; i++) {
      alice.join("a" + i);
    }
    alice.send(new JsonObject().put("type", "join").put("room", "a3"));
    alice.expectError("too_many_new_rooms");
    userFrom("127.0.0.2", "bob").join("b0"); // another address has its own allowance
  }

  @Test
  void room_limit_reached() {
    for (int i = 0; i < 5; i++) {
      TestClient creator = userFrom("127.0.0." + (10 + i), "creator" + i);
      creator.join("room" + i);
    }
    TestClient late = userFrom("127.0.0.20", "late");
    late.send(new JsonObject().put("type", "join").put("room", "one-too-many"));
    late.expectError("room_limit_reached");
    late.join("room0");
  }

  @Test
  void reads_of_a_room_that_does_not_exist_create_nothing() {
    TestClient alice = user("alice");
    alice.send(new JsonObject().put("type", "history").put("room", "nowhere"));
    JsonObject history = alice.expect("history");
    assertEquals(0, history.getJsonArray("messages").size());
    assertEquals(0L, history.getLong("lastId"));
    alice.send(new JsonObject().put("type", "rooms"));
    assertEquals(0, alice.expect("rooms").getJsonArray("rooms").size(), "nothing was created");
  }

  @Test
  void a_room_nobody_uses_leaves_the_nodes_memory() {
    TestClient alice = user("alice");
    alice.join("brief");
    alice.say("brief", "hello");
    assertTrue(node.cachedRooms() >= 1);
    alice.send(new JsonObject().put("type", "leave").put("room", "brief"));
    alice.expect("left");
    Eventually.await(vertx, () -> node.rooms() == 0 && node.cachedRooms() == 0,
        "after ROOM_IDLE_EVICT_S, no state of the room is left in memory");
    JsonObject again = alice.join("brief");
    assertEquals(1, again.getJsonArray("history").size(), "and it is all still in the store");
  }
}
