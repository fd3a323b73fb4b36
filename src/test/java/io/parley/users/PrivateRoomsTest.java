package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.parley.support.RawBridge;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Private rooms": created private by a join, joined by invitation, closed to anyone else. */
class PrivateRoomsTest extends ParleyServerTest {

  private static JsonObject frame(String type, String room) {
    return new JsonObject().put("type", type).put("room", room);
  }

  private JsonObject createOps(TestClient owner) {
    owner.send(frame("join", "ops").put("visibility", "private"));
    return owner.expect("joined");
  }

  @Test
  void join_with_visibility_private_creates_a_private_room_owned_by_its_creator() {
    TestClient alice = user("alice");
    JsonObject joined = createOps(alice);
    assertEquals("private", joined.getString("kind"));
    assertEquals("alice", joined.getString("owner"));
    // Joining an existing room ignores visibility: a public room stays public.
    alice.join("general");
    TestClient bob = user("bob");
    bob.send(frame("join", "general").put("visibility", "private"));
    assertEquals("public", bob.expect("joined").getString("kind"));
  }

  @Test
  void a_non_member_is_forbidden_everything_about_a_private_room() {
    TestClient alice = user("alice");
    createOps(alice);
    alice.say("ops", "secret");
    TestClient carol = user("carol");
    carol.send(frame("join", "ops")).expectError("forbidden");
    carol.send(frame("history", "ops")).expectError("forbidden");
    carol.send(frame("read", "ops").put("id", 1)).expectError("forbidden");
    carol.send(frame("invite", "ops").put("nick", "dave")).expectError("forbidden");
    carol.send(frame("send", "ops").put("text", "hi")).expectError("not_joined");
    carol.send(new JsonObject().put("type", "rooms"));
    JsonArray rooms = carol.expect("rooms").getJsonArray("rooms");
    assertTrue(rooms.stream().noneMatch(r -> "ops".equals(((JsonObject) r).getString("room"))), rooms::encode);
    alice.say("ops", "still secret");
    carol.expectNothingQueued();
  }

  @Test
  void invite_lets_the_invitee_join_and_tells_its_connections() {
    TestClient alice = user("alice");
    createOps(alice);
    TestClient bob = user("bob");
    alice.send(frame("invite", "ops").put("nick", "bob").put("ref", "i1"));
    JsonObject answer = alice.expect("invited");
    assertEquals("i1", answer.getString("ref"));
    assertEquals("bob", answer.getString("nick"));
    JsonObject invited = bob.expect("invited");
    assertEquals("ops", invited.getString("room"));
    assertEquals("alice", invited.getString("by"));
    assertFalse(invited.containsKey("ref"));
    bob.send(new JsonObject().put("type", "rooms"));
    JsonObject listed = bob.expect("rooms").getJsonArray("rooms").stream().map(JsonObject.class::cast)
        .filter(r -> "ops".equals(r.getString("room"))).findFirst().orElseThrow();
    assertEquals("invited", listed.getString("access"));
    JsonObject joined = bob.join("ops");
    assertEquals(new JsonArray().add("alice").add("bob"), joined.getJsonArray("members"));
    alice.expect("presence");
    alice.say("ops", "welcome bob");
    assertEquals("welcome bob", bob.expect("message").getString("text"));
  }

  @Test
  void invite_to_a_public_room_is_invalid() {
    TestClient alice = user("alice");
    alice.join("general");
    alice.send(frame("invite", "general").put("nick", "bob")).expectError("invalid_value");
  }

  @Test
  void remove_by_the_owner_makes_the_member_leave_and_keeps_it_out() {
    TestClient alice = user("alice");
    createOps(alice);
    TestClient bob = user("bob");
    alice.send(frame("invite", "ops").put("nick", "bob"));
    alice.expect("invited");
    bob.expect("invited");
    bob.join("ops");
    alice.expect("presence");
    bob.send(frame("remove", "ops").put("nick", "alice")).expectError("forbidden");
    alice.send(frame("remove", "ops").put("nick", "bob"));
    assertEquals("bob", alice.expectPast("removed", "presence").getString("nick"));
    JsonObject removed = bob.expect("removed");
    assertEquals("alice", removed.getString("by"));
    alice.send(frame("send", "ops").put("text", "after bob"));
    assertEquals("after bob", alice.expectPast("message", "presence").getString("text"));
    bob.send(frame("send", "ops").put("text", "still here?")).expectError("not_joined");
    bob.send(frame("join", "ops")).expectError("forbidden");
    bob.expectNothingQueued(); // "after bob" never reached him
  }

  @Test
  void the_bridge_refuses_to_register_a_private_room_for_a_non_member() {
    TestClient alice = user("alice");
    createOps(alice);
    RawBridge carol = RawBridge.connect(vertx, node.httpPort());
    try {
      carol.register("chat.room.ops");
      JsonObject refusal = carol.next();
      assertEquals("err", refusal.getString("type"));
      assertEquals("access_denied", refusal.getString("body"));
      JsonObject refused = carol.requestFrame("chat.history", new JsonObject().put("room", "ops"));
      assertEquals("forbidden", refused.getString("message").split(" ")[0]);
      alice.say("ops", "not for carol");
      java.util.List<JsonObject> frames = carol.framesUpToARequest("chat.rooms", new JsonObject());
      assertTrue(frames.stream().noneMatch(f -> "chat.room.ops".equals(f.getString("address"))), frames::toString);
      JsonObject rooms = frames.get(frames.size() - 1).getJsonObject("body");
      assertTrue(rooms.getJsonArray("rooms").stream().noneMatch(r -> "ops".equals(((JsonObject) r).getString("room"))));
    } finally {
      carol.close();
    }
  }

  @Test
  void a_bridge_registration_made_before_a_room_became_private_stops_when_it_does() {
    RawBridge eve = RawBridge.connect(vertx, node.httpPort());
    try {
      String dm = io.parley.protocol.Names.directRoom("alice", "bob");
      eve.register("chat.room.ops"); // neither exists yet: nothing to refuse
      eve.register("chat.room." + dm);
      eve.framesUpToARequest("chat.rooms", new JsonObject());
      TestClient alice = user("alice");
      user("bob");
      createOps(alice);
      alice.say("ops", "not for eve");
      alice.send(new JsonObject().put("type", "join").put("with", "bob"));
      alice.expect("joined");
      alice.say(dm, "not for eve either");
      java.util.List<JsonObject> frames = eve.framesUpToARequest("chat.rooms", new JsonObject());
      assertEquals(1, frames.size(), () -> "eve received " + frames);
    } finally {
      eve.close();
    }
  }
}
