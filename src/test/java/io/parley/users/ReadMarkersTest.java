package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Read markers and unread counts". */
class ReadMarkersTest extends ParleyServerTest {

  private static JsonObject read(String room, long id) {
    return new JsonObject().put("type", "read").put("room", room).put("id", id);
  }

  @Test
  void read_moves_the_marker_forward_only_and_joined_carries_unread() {
    TestClient bob = user("bob");
    bob.join("general");
    for (int i = 1; i <= 5; i++) {
      bob.say("general", "m" + i);
    }
    TestClient alice = user("alice");
    JsonObject joined = alice.join("general");
    assertEquals(0L, joined.getLong("read"));
    assertEquals(5L, joined.getLong("unread"));
    alice.send(read("general", 3).put("ref", "r"));
    JsonObject answer = alice.expect("read");
    assertEquals("r", answer.getString("ref"));
    assertEquals(3L, answer.getLong("id"));
    assertEquals(2L, answer.getLong("unread"));
    alice.send(read("general", 2));
    assertEquals(3L, alice.expect("read").getLong("id"), "never backwards");
    alice.send(read("general", 99));
    assertEquals(5L, alice.expect("read").getLong("id"), "never past the newest message");
    alice.send(new JsonObject().put("type", "rooms"));
    JsonObject listed = alice.expect("rooms").getJsonArray("rooms").getJsonObject(0);
    assertEquals(5L, listed.getLong("read"));
    assertEquals(0L, listed.getLong("unread"));
  }

  @Test
  void read_reaches_the_users_other_connections() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    first.join("general");
    first.say("general", "hello");
    TestClient second = anonymous();
    second.send(new JsonObject().put("type", "hello").put("nick", "alice").put("session", session));
    second.expect("welcome");
    first.send(read("general", 1));
    first.expect("read");
    JsonObject told = second.expect("read");
    assertEquals("general", told.getString("room"));
    assertEquals(1L, told.getLong("id"));
    assertFalse(told.containsKey("ref"));
    TestClient carol = user("carol");
    carol.expectNothingQueued(); // another user hears nothing of alice's markers
  }

  @Test
  void markers_outlive_the_connection() {
    TestClient alice = user("alice");
    alice.join("general");
    alice.say("general", "one");
    alice.say("general", "two");
    alice.send(read("general", 1));
    alice.expect("read");
    alice.close();
    TestClient back = anonymous();
    back.helloWhenFree(vertx, "alice");
    JsonObject joined = back.join("general");
    assertEquals(1L, joined.getLong("read"));
    assertEquals(1L, joined.getLong("unread"));
  }
}
