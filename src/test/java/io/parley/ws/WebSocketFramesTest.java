package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every client frame of docs/PROTOCOL.md against a real node, named after the section it shows. */
class WebSocketFramesTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.HISTORY_SIZE.name(), 20).put(Settings.JOIN_HISTORY.name(), 5)
        .put(Settings.HISTORY_PAGE_MAX.name(), 10);
  }

  @Test
  void hello_welcome() {
    TestClient alice = anonymous();
    alice.send(new JsonObject().put("type", "hello").put("nick", "alice").put("ref", "r1"));
    JsonObject welcome = alice.expect("welcome");
    assertEquals("alice", welcome.getString("nick"));
    assertEquals("r1", welcome.getString("ref"));
    assertEquals(4096, welcome.getJsonObject("limits").getInteger("maxTextLength"));
    assertEquals(65536, welcome.getJsonObject("limits").getInteger("maxFrameSize"));
  }

  @Test
  void hello_nick_is_free_again_after_disconnect() {
    user("alice").close();
    // The nick is released once the server has seen the close; retry until it has (bounded).
    assertEquals("alice", anonymous().helloWhenFree(vertx, "alice").getString("nick"));
  }

  @Test
  void join_joined() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    long first = alice.join("general").getLong("membersVersion");
    alice.say("general", "first");
    JsonObject joined = bob.join("general");
    assertEquals("general", joined.getString("room"));
    assertEquals(new JsonArray(List.of("alice", "bob")), joined.getJsonArray("members"));
    assertEquals(first + 1, joined.getLong("membersVersion"), "two joins so far");
    assertEquals(1, joined.getJsonArray("history").size());
    assertEquals("first", joined.getJsonArray("history").getJsonObject(0).getString("text"));
    assertEquals(1L, joined.getLong("lastId"));
    assertFalse(joined.containsKey("recovered"), "recovered is only for a join with since");
  }

  @Test
  void join_history_is_the_most_recent_messages() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 8; i++) {
      alice.say("general", "m" + i);
    }
    JsonObject joined = user("bob").join("general");
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L), ids(joined.getJsonArray("history")));
  }

  @Test
  void join_since() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 6; i++) {
      alice.say("general", "m" + i);
    }
    TestClient bob = user("bob");
    JsonObject joined = bob.join("general", 2);
    assertEquals(List.of(3L, 4L, 5L, 6L), ids(joined.getJsonArray("history")));
    assertTrue(joined.getBoolean("recovered"));

    JsonObject upToDate = user("carol").join("general", 6);
    assertEquals(List.of(), ids(upToDate.getJsonArray("history")));
    assertTrue(upToDate.getBoolean("recovered"));
  }

  @Test
  void join_since_beyond_the_cap_is_not_recovered() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 25; i++) {
      alice.say("general", "m" + i);
    }
    // 25 messages, 20 kept, at most 10 per answer: the newest 10, and recovered=false marks the gap.
    JsonObject joined = user("bob").join("general", 1);
    assertEquals(List.of(16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L), ids(joined.getJsonArray("history")));
    assertFalse(joined.getBoolean("recovered"));
    JsonObject fromTheFuture = user("carol").join("general", 99);
    assertFalse(fromTheFuture.getBoolean("recovered"));
  }

  @Test
  void send_message() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    long before = System.currentTimeMillis();
    alice.send(new JsonObject().put("type", "send").put("room", "general").put("text", "hi").put("cid", "c1"));
    for (TestClient member : List.of(alice, bob)) {
      JsonObject message = member.expect("message");
      assertEquals("general", message.getString("room"));
      assertEquals(1L, message.getLong("id"));
      assertEquals("alice", message.getString("from"));
      assertEquals("hi", message.getString("text"));
      assertEquals("c1", message.getString("cid"));
      assertTrue(message.getLong("ts") >= before && message.getLong("ts") <= System.currentTimeMillis());
    }
  }

  @Test
  void send_ids_are_strictly_plus_one_per_room() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("a");
    alice.join("b");
    bob.join("a");
    alice.expect("presence");
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, alice.say("a", "a" + i).getLong("id"));
      assertEquals(i, bob.expect("message").getLong("id"));
      assertEquals(i, alice.say("b", "b" + i).getLong("id"));
    }
    // Interleaved senders share the room's sequence.
    bob.send(new JsonObject().put("type", "send").put("room", "a").put("text", "from bob"));
    assertEquals(6L, alice.expect("message").getLong("id"));
  }

  @Test
  void send_pipelined_after_hello_and_join() {
    TestClient eve = anonymous();
    eve.send(new JsonObject().put("type", "hello").put("nick", "eve"));
    eve.send(new JsonObject().put("type", "join").put("room", "fast"));
    eve.send(new JsonObject().put("type", "send").put("room", "fast").put("text", "no waiting"));
    eve.expect("welcome");
    eve.expect("joined");
    assertEquals("no waiting", eve.expect("message").getString("text"));
  }

  @Test
  void room_isolation() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("one");
    bob.join("two");
    alice.say("one", "only for one");
    bob.say("two", "only for two");
    // Each saw only their own room's message: the next frame each gets is their own next message.
    assertEquals(2L, alice.say("one", "again").getLong("id"));
    assertEquals(2L, bob.say("two", "again").getLong("id"));
  }

  @Test
  void leave_left() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    bob.send(new JsonObject().put("type", "leave").put("room", "general").put("ref", "bye"));
    JsonObject left = bob.expect("left");
    assertEquals("general", left.getString("room"));
    assertEquals("bye", left.getString("ref"));
    JsonObject presence = alice.expect("presence");
    assertEquals("leave", presence.getString("event"));
    assertEquals("bob", presence.getString("nick"));
    alice.say("general", "bob is gone");
    bob.expectNothingQueued();
    assertEquals(List.of("alice", "carol"), user("carol").join("general").getJsonArray("members").getList());
  }

  @Test
  void presence_join() {
    TestClient alice = user("alice");
    long first = alice.join("general").getLong("membersVersion");
    user("bob").join("general");
    JsonObject presence = alice.expect("presence");
    assertEquals(new JsonObject().put("type", "presence").put("room", "general").put("nick", "bob")
        .put("event", "join").put("version", first + 1).put("count", 2), presence);
  }

  @Test
  void presence_leave_on_disconnect() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    alice.join("other");
    bob.join("general");
    bob.join("other");
    alice.expect("presence");
    alice.expect("presence");
    bob.close();
    JsonObject first = alice.expect("presence");
    JsonObject second = alice.expect("presence");
    assertEquals("leave", first.getString("event"));
    assertEquals("leave", second.getString("event"));
    assertEquals("bob", first.getString("nick"));
    assertEquals(java.util.Set.of("general", "other"), java.util.Set.of(first.getString("room"), second.getString("room")));
  }

  @Test
  void typing() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    bob.send(new JsonObject().put("type", "typing").put("room", "general"));
    assertEquals(new JsonObject().put("type", "typing").put("room", "general").put("nick", "bob"),
        alice.expect("typing"));
    // The typist is not told about itself: the next thing bob gets is his own message.
    bob.say("general", "done typing");
  }

  @Test
  void rooms() {
    TestClient alice = user("alice");
    alice.join("general");
    alice.join("random");
    alice.say("random", "x");
    user("bob").join("general");
    alice.expect("presence");
    alice.send(new JsonObject().put("type", "rooms").put("ref", "r"));
    JsonObject rooms = alice.expect("rooms");
    assertEquals("r", rooms.getString("ref"));
    JsonArray list = rooms.getJsonArray("rooms");
    assertEquals(List.of("general", "random"), list.stream().map(r -> ((JsonObject) r).getString("room")).toList());
    assertEquals(List.of(2, 1), list.stream().map(r -> ((JsonObject) r).getInteger("members")).toList());
    assertEquals(List.of(0L, 1L), list.stream().map(r -> ((JsonObject) r).getLong("lastId")).toList());
    JsonObject random = list.getJsonObject(1);
    assertTrue(random.getLong("lastActive") >= list.getJsonObject(0).getLong("lastActive"), "its message came last");
    assertFalse(rooms.containsKey("next"), "a page that is not full is the last");
  }

  @Test
  void rooms_pages_by_name() {
    TestClient alice = user("alice");
    for (String room : List.of("a1", "a2", "a3", "b1", "b2")) {
      alice.join(room);
    }
    alice.send(new JsonObject().put("type", "rooms").put("limit", 2));
    JsonObject first = alice.expect("rooms");
    assertEquals("a2", first.getString("next"));
    alice.send(new JsonObject().put("type", "rooms").put("after", first.getString("next")).put("limit", 2));
    JsonObject second = alice.expect("rooms");
    assertEquals(List.of("a3", "b1"), second.getJsonArray("rooms").stream()
        .map(r -> ((JsonObject) r).getString("room")).toList());
    alice.send(new JsonObject().put("type", "rooms").put("after", second.getString("next")).put("limit", 2));
    JsonObject last = alice.expect("rooms");
    assertEquals(1, last.getJsonArray("rooms").size());
    assertFalse(last.containsKey("next"));
  }

  @Test
  void history_pages_back() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 12; i++) {
      alice.say("general", "m" + i);
    }
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("before", 9).put("limit", 3));
    JsonObject page = alice.expect("history");
    assertEquals("general", page.getString("room"));
    assertEquals(List.of(6L, 7L, 8L), ids(page.getJsonArray("messages")));

    alice.send(new JsonObject().put("type", "history").put("room", "general"));
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), ids(alice.expect("history").getJsonArray("messages")),
        "no before: the newest page, capped at HISTORY_PAGE_MAX");
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("before", 3).put("limit", 100));
    assertEquals(List.of(1L, 2L), ids(alice.expect("history").getJsonArray("messages")));
  }

  @Test
  void history_pages_back_to_the_first_message() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 30; i++) {
      alice.say("general", "m" + i);
    }
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("before", 15).put("limit", 10));
    assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L),
        ids(alice.expect("history").getJsonArray("messages")), "the store keeps more than HISTORY_SIZE (20)");
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("before", 5));
    assertEquals(List.of(1L, 2L, 3L, 4L), ids(alice.expect("history").getJsonArray("messages")));
  }

  @Test
  void leave_then_join_pipelined_keeps_the_room_stream() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    bob.send(new JsonObject().put("type", "leave").put("room", "general"));
    bob.send(new JsonObject().put("type", "join").put("room", "general"));
    bob.expect("left");
    bob.expect("joined");
    assertEquals("leave", alice.expect("presence").getString("event"));
    assertEquals("join", alice.expect("presence").getString("event"));
    alice.say("general", "after the rejoin");
    assertEquals("after the rejoin", bob.expectPast("message", "presence").getString("text"));
  }

  static List<Long> ids(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("id")).toList();
  }
}
