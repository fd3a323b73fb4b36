package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Direct messages": one conversation per pair of users, private to the two. */
class DirectMessagesTest extends ParleyServerTest {

  private static JsonObject with(String nick) {
    return new JsonObject().put("type", "join").put("with", nick);
  }

  @Test
  void join_with_opens_the_same_room_whichever_user_opens_it() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.send(with("bob"));
    JsonObject opened = alice.expect("joined");
    String room = opened.getString("room");
    assertTrue(room.matches("dm-[0-9a-f]{32}"), room);
    assertEquals("direct", opened.getString("kind"));
    assertEquals("bob", opened.getString("with"));
    JsonObject invited = bob.expect("invited");
    assertEquals(room, invited.getString("room"));
    assertEquals("direct", invited.getString("kind"));
    assertEquals("alice", invited.getString("with"));
    alice.say(room, "hi bob");
    bob.send(with("alice"));
    JsonObject joined = bob.expect("joined");
    assertEquals(room, joined.getString("room"));
    assertEquals("alice", joined.getString("with"));
    assertEquals("hi bob", joined.getJsonArray("history").getJsonObject(0).getString("text"));
    alice.expect("presence");
    bob.say(room, "hi alice");
    assertEquals("hi alice", alice.expect("message").getString("text"));
  }

  @Test
  void a_third_user_is_forbidden_a_direct_conversation() {
    TestClient alice = user("alice");
    user("bob");
    alice.send(with("bob"));
    String room = alice.expect("joined").getString("room");
    alice.say(room, "between us");
    TestClient carol = user("carol");
    carol.send(new JsonObject().put("type", "join").put("room", room)).expectError("forbidden");
    carol.send(new JsonObject().put("type", "history").put("room", room)).expectError("forbidden");
    // A room named like a conversation cannot be made by name either.
    carol.send(new JsonObject().put("type", "join").put("room", "dm-0123456789abcdef0123456789abcdef"))
        .expectError("invalid_room");
  }

  @Test
  void a_direct_conversation_with_yourself_or_with_a_room_is_invalid() {
    TestClient alice = user("alice");
    alice.send(with("alice")).expectError("invalid_value");
    alice.send(with("bob").put("room", "general")).expectError("invalid_value");
    alice.send(with("not a nick")).expectError("invalid_nick");
  }

  @Test
  void a_direct_conversation_resumes_with_since() {
    TestClient alice = user("alice");
    user("bob");
    alice.send(with("bob"));
    JsonObject opened = alice.expect("joined");
    String room = opened.getString("room");
    alice.say(room, "one");
    alice.say(room, "two");
    alice.send(with("bob").put("since", 1).put("epoch", opened.getString("epoch")));
    JsonObject resumed = alice.expect("joined");
    assertEquals(true, resumed.getBoolean("recovered"));
    assertEquals(1, resumed.getJsonArray("history").size());
    assertEquals("two", resumed.getJsonArray("history").getJsonObject(0).getString("text"));
  }
}
