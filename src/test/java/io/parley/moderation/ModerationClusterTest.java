package io.parley.moderation;

import static io.parley.moderation.EditsAndReactionsTest.acted;
import static io.parley.moderation.EditsAndReactionsTest.change;
import static io.parley.moderation.EditsAndReactionsTest.react;
import static io.parley.moderation.ModerationTest.act;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.RawBridge;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Changes to a room across two real nodes on PostgreSQL (and, in {@link InMemoryModerationClusterTest}, on Hazelcast
 * storage): a client that resumes on the other node gets every change it missed once and in order, and a banned
 * user cannot come back on either node nor through the bridge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModerationClusterTest {

  private TestCluster cluster;
  private int rooms;

  /** The cluster's configuration beyond TestCluster's. */
  protected JsonObject overrides() {
    return new JsonObject();
  }

  @BeforeAll
  void start() {
    cluster = TestCluster.start(2, overrides());
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private String room() {
    return "mod" + (++rooms);
  }

  /** A guest on node {@code index} and its session, for other devices of the same user. */
  private String[] hello(TestClient client, String nick, String session) {
    JsonObject hello = new JsonObject().put("type", "hello").put("nick", nick);
    if (session != null) {
      hello.put("session", session);
    }
    return new String[] {client.send(hello).expect("welcome").getString("session")};
  }

  @Test
  void a_client_that_resumes_on_another_node_gets_every_missed_change_in_order_once() {
    String room = room();
    TestClient alice = cluster.user(0, "alice" + room); // the owner
    alice.join(room);
    TestClient bob = cluster.user(1, "bob" + room);
    bob.join(room);
    alice.expect("presence");
    TestClient carol = cluster.user(1, "carol" + room);
    long lastSeen = carol.join(room).getLong("lastId");
    alice.expect("presence");
    bob.expect("presence");
    carol.close();
    alice.expectPast("presence");
    bob.expectPast("presence");

    long m1 = alice.say(room, "first").getLong("id");
    bob.expect("message");
    long m2 = bob.say(room, "second").getLong("id");
    alice.expect("message");
    alice.send(change("edit", room, m1).put("text", "first, fixed"));
    acted(alice, "edit");
    bob.expect("edit");
    bob.send(react(room, m1, "🎉", true));
    acted(bob, "reaction");
    alice.expect("reaction");
    alice.send(change("delete", room, m2));
    acted(alice, "delete");
    bob.expect("delete");
    alice.send(act("ban", room, "dave" + room).put("seconds", 60));
    acted(alice, "ban");
    bob.expect("ban");

    TestClient back = cluster.user(0, "carol" + room);
    JsonObject joined = back.join(room, lastSeen);
    JsonArray history = joined.getJsonArray("history");
    List<String> types = history.stream().map(e -> ((JsonObject) e).getString("type")).toList();
    assertEquals(List.of("message", "message", "edit", "reaction", "delete", "ban"), types, history::encode);
    for (int i = 0; i < history.size(); i++) {
      assertEquals(lastSeen + 1 + i, history.getJsonObject(i).getLong("id"), "in id order, nothing twice");
    }
    assertEquals(lastSeen + history.size(), joined.getLong("lastId"));
    JsonObject first = history.getJsonObject(0);
    assertEquals("first, fixed", first.getString("text"));
    assertTrue(first.getBoolean("edited"));
    assertEquals(new JsonArray().add("bob" + room), first.getJsonObject("reactions").getJsonArray("🎉"));
    assertTrue(history.getJsonObject(1).getBoolean("deleted"));
    assertFalse(history.encode().contains("\"second\""), history::encode);
    // Then live, once: the next change reaches the resumed client and nothing before it comes again.
    alice.expect("presence");
    bob.expect("presence");
    bob.send(react(room, m1, "🎉", false));
    JsonObject live = back.expect("reaction");
    assertEquals(lastSeen + 7, live.getLong("id"));
    back.expectNothingQueued();
  }

  @Test
  void a_banned_user_cannot_come_back_on_another_node_or_through_the_bridge() {
    String room = room();
    String bobNick = "bob" + room;
    TestClient alice = cluster.user(0, "alice" + room);
    alice.join(room);
    TestClient bobHere = cluster.anonymous(0);
    String session = hello(bobHere, bobNick, null)[0];
    bobHere.join(room);
    TestClient bobThere = cluster.anonymous(1);
    hello(bobThere, bobNick, session);
    bobThere.join(room);
    alice.expect("presence");

    alice.send(act("ban", room, bobNick));
    acted(alice, "ban");
    assertEquals("leave", alice.expect("presence").getString("event"), "one leave, when bob's last connection left");
    for (TestClient device : List.of(bobHere, bobThere)) {
      JsonObject removed = device.expectPast("removed", "ban", "presence", "device");
      assertEquals("ban", removed.getString("reason"));
    }
    alice.say(room, "after the ban");
    for (TestClient device : List.of(bobHere, bobThere)) {
      device.send(new JsonObject().put("type", "join").put("room", room)).expectError("banned");
      device.expectNothingQueued();
    }
    TestClient fresh = cluster.anonymous(1);
    hello(fresh, bobNick, session);
    fresh.send(new JsonObject().put("type", "join").put("room", room)).expectError("banned");
    fresh.send(new JsonObject().put("type", "history").put("room", room)).expectError("banned");
    RawBridge bridge = RawBridge.connect(cluster.member(1).vertx(), cluster.member(1).httpPort());
    try {
      bridge.request("chat.hello", new JsonObject().put("nick", bobNick).put("session", session));
      JsonObject refused = bridge.requestFrame("chat.join", new JsonObject().put("room", room).put("nick", bobNick));
      assertEquals("banned", refused.getString("message").split(" ")[0], refused::encode);
      bridge.register("chat.room." + room);
      assertEquals("access_denied", bridge.next().getString("body"));
    } finally {
      bridge.close();
    }
  }

  @Test
  void a_kick_and_a_mute_on_one_node_hold_on_the_other() {
    String room = room();
    TestClient alice = cluster.user(0, "alice" + room);
    alice.join(room);
    TestClient bob = cluster.user(1, "bob" + room);
    bob.join(room);
    alice.expect("presence");
    TestClient carol = cluster.user(1, "carol" + room);
    carol.join(room);
    alice.expect("presence");
    bob.expect("presence");
    // The owner, on node 0, names bob (node 1) moderator; bob mutes carol on node 1; alice kicks carol.
    alice.send(act("role", room, "bob" + room).put("role", "moderator"));
    acted(alice, "role");
    bob.expect("role");
    carol.expect("role");
    bob.send(act("mute", room, "carol" + room).put("seconds", 600));
    acted(bob, "mute");
    alice.expect("mute");
    carol.expect("mute");
    carol.send(new JsonObject().put("type", "send").put("room", room).put("text", "hey")).expectError("muted");
    alice.send(act("kick", room, "carol" + room));
    acted(alice, "kick");
    assertEquals("kick", carol.expectPast("removed", "kick").getString("reason"));
    carol.send(new JsonObject().put("type", "send").put("room", room).put("text", "hey")).expectError("not_joined");
    JsonObject again = carol.join(room);
    assertTrue(again.getLong("mutedUntil") > System.currentTimeMillis(), "a kick does not lift a mute");
    assertEquals(new JsonArray().add("bob" + room), again.getJsonArray("moderators"));
  }
}
