package io.parley.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.parley.support.RawBridge;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Roles, moderation...": roles, kick, ban, unban and mute over /ws and the bridge, one node. */
class ModerationTest extends ParleyServerTest {

  private final String dataDir = temporaryDataDir();
  private final java.util.Map<String, String> sessions = new java.util.HashMap<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(io.parley.config.Settings.DATA_DIR.name(), dataDir);
  }

  /** A guest welcomed as {@code nick}, or, if that user is connected already, another device of theirs. */
  private TestClient device(String nick) {
    TestClient client = anonymous();
    JsonObject hello = new JsonObject().put("type", "hello").put("nick", nick);
    if (sessions.containsKey(nick)) {
      hello.put("session", sessions.get(nick));
    }
    sessions.put(nick, client.send(hello).expect("welcome").getString("session"));
    return client;
  }

  static JsonObject act(String type, String room, String nick) {
    return new JsonObject().put("type", type).put("room", room).put("nick", nick);
  }

  /** alice creates (owns) general, bob joins it. */
  private TestClient[] aliceOwnsBobJoins() {
    TestClient alice = device("alice");
    JsonObject joined = alice.join("general");
    assertEquals("owner", joined.getString("role"));
    assertEquals("alice", joined.getString("owner"));
    TestClient bob = device("bob");
    assertEquals("member", bob.join("general").getString("role"));
    alice.expect("presence");
    return new TestClient[] {alice, bob};
  }

  @Test
  void the_owner_names_a_moderator_who_then_moderates() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    TestClient carol = device("carol");
    carol.join("general");
    alice.expect("presence");
    bob.expect("presence");
    alice.send(act("role", "general", "bob").put("role", "moderator").put("ref", "r1"));
    JsonObject done = alice.expectPast("done", "role");
    assertEquals("r1", done.getString("ref"));
    assertEquals("role", done.getString("event"));
    JsonObject role = bob.expect("role");
    assertEquals(done.getLong("id"), role.getLong("id"));
    assertEquals("alice", role.getString("by"));
    assertEquals("bob", role.getString("nick"));
    assertEquals("moderator", role.getString("role"));
    assertEquals(role.getLong("id"), carol.expect("role").getLong("id"));
    // The moderator kicks carol; carol may join again.
    bob.send(act("kick", "general", "carol"));
    bob.expectPast("done", "kick", "presence");
    JsonObject kick = alice.expectPast("kick", "presence", "role");
    assertEquals("carol", kick.getString("nick"));
    assertEquals("bob", kick.getString("by"));
    JsonObject removed = carol.expectPast("removed", "kick");
    assertEquals("kick", removed.getString("reason"));
    assertEquals("bob", removed.getString("by"));
    assertEquals(kick.getLong("id"), removed.getLong("id"));
    carol.send(new JsonObject().put("type", "send").put("room", "general").put("text", "back?"))
        .expectError("not_joined");
    JsonObject again = carol.join("general");
    assertTrue(again.getJsonArray("members").contains("carol"));
    // A moderator cannot act on the owner nor name moderators.
    bob.drain();
    bob.send(act("kick", "general", "alice")).expectPast("error", "presence");
    bob.send(act("role", "general", "carol").put("role", "moderator")).expectError("forbidden");
    // The owner takes it back: bob is a member again and may not kick.
    alice.drain();
    alice.send(act("role", "general", "bob").put("role", "member"));
    alice.expectPast("done", "role", "presence", "kick");
    bob.expectPast("role", "presence");
    bob.send(act("kick", "general", "carol")).expectError("forbidden");
    JsonObject rejoined = device("bob2").join("general");
    assertEquals(new JsonArray(), rejoined.getJsonArray("moderators"));
  }

  @Test
  void members_may_not_moderate_and_nobody_acts_on_themselves() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient bob = ab[1];
    bob.send(act("kick", "general", "alice")).expectError("forbidden");
    bob.send(act("ban", "general", "alice")).expectError("forbidden");
    bob.send(act("mute", "general", "alice").put("seconds", 60)).expectError("forbidden");
    bob.send(act("role", "general", "bob").put("role", "moderator")).expectError("invalid_value");
    ab[0].send(act("kick", "general", "alice")).expectError("invalid_value");
    ab[0].expectNothingQueued();
  }

  @Test
  void a_banned_user_cannot_join_read_or_register() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    TestClient bobPhone = device("bob"); // the same user's second connection
    bobPhone.join("general");
    alice.send(act("ban", "general", "bob").put("seconds", 0));
    // alice gets the ban, bob's one presence leave (his last connection left) and the answer, in some order
    java.util.Map<String, JsonObject> seen = new java.util.HashMap<>();
    while (seen.size() < 3) {
      JsonObject frame = alice.next();
      if (!"presence".equals(frame.getString("type")) || "leave".equals(frame.getString("event"))) {
        assertEquals(null, seen.put(frame.getString("type"), frame), frame::encode);
      }
    }
    assertEquals("bob", seen.get("presence").getString("nick"));
    JsonObject ban = seen.get("ban");
    assertEquals(seen.get("done").getLong("id"), ban.getLong("id"));
    assertFalse(ban.containsKey("until"));
    // Each of bob's connections is told it left (the room's ban event may reach it first, or not at all).
    for (TestClient device : new TestClient[] {bob, bobPhone}) {
      JsonObject removed = device.expectPast("removed", "ban", "presence", "device");
      assertEquals("ban", removed.getString("reason"));
      assertEquals(ban.getLong("id"), removed.getLong("id"));
    }
    alice.say("general", "bob is gone");
    for (TestClient device : new TestClient[] {bob, bobPhone}) {
      device.send(new JsonObject().put("type", "join").put("room", "general")).expectError("banned");
      device.send(new JsonObject().put("type", "history").put("room", "general")).expectError("banned");
      device.send(new JsonObject().put("type", "read").put("room", "general").put("id", 1)).expectError("banned");
      device.expectNothingQueued(); // "bob is gone" never reached either
    }
    TestClient fresh = device("bob"); // a new connection is the same banned user
    fresh.send(new JsonObject().put("type", "join").put("room", "general")).expectError("banned");
    RawBridge bridge = RawBridge.connect(vertx, node.httpPort());
    try {
      bridge.request("chat.hello", new JsonObject().put("nick", "bob").put("session", sessions.get("bob")));
      JsonObject refused = bridge.requestFrame("chat.join", new JsonObject().put("room", "general").put("nick", "bob"));
      assertEquals("banned", refused.getString("message").split(" ")[0], refused::encode);
      bridge.register("chat.room.general");
      JsonObject refusal = bridge.next();
      assertEquals("err", refusal.getString("type"));
      assertEquals("access_denied", refusal.getString("body"));
    } finally {
      bridge.close();
    }
    // unban: bob may come back
    alice.send(act("unban", "general", "bob"));
    alice.expectPast("done", "unban");
    assertTrue(bob.join("general").getJsonArray("members").contains("bob"));
  }

  @Test
  void a_ban_for_seconds_ends_by_itself() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    alice.send(act("ban", "general", "bob").put("seconds", 1));
    alice.expectPast("done", "ban", "presence");
    JsonObject removed = bob.expectPast("removed", "ban", "presence");
    long until = removed.getLong("until");
    assertTrue(until > System.currentTimeMillis() - 1000 && until <= System.currentTimeMillis() + 1000, removed::encode);
    bob.send(new JsonObject().put("type", "join").put("room", "general")).expectError("banned");
    io.parley.support.Eventually.succeeds(vertx, () -> {
      bob.send(new JsonObject().put("type", "join").put("room", "general"));
      return bob.expect("joined");
    }, "the ban ended");
  }

  @Test
  void a_muted_user_reads_but_cannot_send() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    JsonObject message = alice.say("general", "before");
    bob.expect("message");
    alice.send(act("mute", "general", "bob").put("seconds", 600));
    EditsAndReactionsTest.acted(alice, "mute");
    JsonObject mute = bob.expect("mute");
    assertTrue(mute.getLong("until") > System.currentTimeMillis());
    bob.send(new JsonObject().put("type", "send").put("room", "general").put("text", "let me")).expectError("muted");
    bob.send(new JsonObject().put("type", "react").put("room", "general").put("id", message.getLong("id"))
        .put("emoji", "👍")).expectError("muted");
    alice.say("general", "you can read");
    assertEquals("you can read", bob.expect("message").getString("text"));
    // joined says so
    TestClient bobAgain = device("bob");
    assertTrue(bobAgain.join("general").getLong("mutedUntil") > System.currentTimeMillis());
    bob.drain();
    // seconds 0 lifts it
    alice.send(act("mute", "general", "bob").put("seconds", 0));
    alice.expectPast("done", "mute", "presence");
    assertFalse(bob.expectPast("mute", "presence", "device").containsKey("until")); // bobAgain's join may tell bob late
    bob.say("general", "thanks");
  }

  @Test
  void moderation_survives_a_restart() {
    TestClient[] ab = aliceOwnsBobJoins();
    ab[0].send(act("ban", "general", "bob"));
    ab[0].expectPast("done", "ban", "presence");
    ab[0].send(act("role", "general", "carol").put("role", "moderator"));
    ab[0].expectPast("done", "ban", "role", "presence"); // the ban's own event may reach alice after its answer
    ab[0].close();
    ab[1].close();
    node.close().await();
    node = io.parley.ParleyNode.deploy(vertx, testConfig(overrides())).await();
    sessions.clear();
    TestClient bob = device("bob");
    bob.send(new JsonObject().put("type", "join").put("room", "general")).expectError("banned");
    TestClient carol = device("carol");
    JsonObject joined = carol.join("general");
    assertEquals("moderator", joined.getString("role"));
    assertEquals("alice", joined.getString("owner"));
  }
}
