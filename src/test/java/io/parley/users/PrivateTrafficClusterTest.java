package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * Users, private rooms and direct conversations across two real nodes (Hazelcast, PostgreSQL): a user's second
 * connection on the other node, and a third user who sees none of the private traffic by any route.
 */
class PrivateTrafficClusterTest {

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, new JsonObject());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void a_non_member_on_another_node_never_receives_a_private_rooms_events() {
    TestClient alice = cluster.anonymous(0);
    alice.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = alice.expect("welcome").getString("session");
    TestClient bob = cluster.user(1, "bob");
    TestClient carol = cluster.user(1, "carol");
    RawBridge carolBridge = RawBridge.connect(cluster.member(1).vertx(), cluster.member(1).httpPort());
    try {
      alice.send(new JsonObject().put("type", "join").put("room", "ops").put("visibility", "private"));
      alice.expect("joined");
      alice.send(new JsonObject().put("type", "invite").put("room", "ops").put("nick", "bob"));
      alice.expect("invited");
      assertEquals("ops", bob.expect("invited").getString("room"));
      bob.join("ops");
      alice.expect("presence");

      // alice's second connection, on bob's node: the same user, no new member, no presence for bob.
      TestClient tab = cluster.anonymous(1);
      tab.send(new JsonObject().put("type", "hello").put("nick", "alice").put("session", session));
      tab.expect("welcome");
      JsonObject joined = tab.join("ops");
      assertEquals(new JsonArray(List.of("alice", "bob")), joined.getJsonArray("members"));
      alice.expect("device");

      // carol, on the same node as bob and the second tab, by every route.
      carol.send(new JsonObject().put("type", "join").put("room", "ops")).expectError("forbidden");
      carolBridge.register("chat.room.ops");
      assertEquals("access_denied", carolBridge.next().getString("body"));

      alice.send(new JsonObject().put("type", "send").put("room", "ops").put("text", "private words"));
      assertEquals("private words", alice.expect("message").getString("text"));
      assertEquals("private words", bob.expect("message").getString("text"));
      assertEquals("private words", tab.expect("message").getString("text"));

      // A direct conversation across the nodes.
      bob.send(new JsonObject().put("type", "join").put("with", "alice"));
      String dm = bob.expect("joined").getString("room");
      assertEquals(dm, alice.expect("invited").getString("room"));
      assertEquals(dm, tab.expect("invited").getString("room"));
      bob.say(dm, "just us");
      carol.send(new JsonObject().put("type", "history").put("room", dm)).expectError("forbidden");

      carol.expectNothingQueued();
      List<JsonObject> bridged = carolBridge.framesUpToARequest("chat.rooms", new JsonObject());
      assertEquals(1, bridged.size(), () -> "carol's bridge socket received " + bridged);
      JsonArray rooms = bridged.get(0).getJsonObject("body").getJsonArray("rooms");
      assertTrue(rooms.stream().map(JsonObject.class::cast)
          .noneMatch(r -> r.getString("room").equals("ops") || r.getString("room").equals(dm)), rooms::encode);
      bob.expectNothingQueued();
    } finally {
      carolBridge.close();
    }
  }
}
