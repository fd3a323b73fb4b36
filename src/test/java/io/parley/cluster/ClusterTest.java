package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three real nodes in one Hazelcast cluster behave as one server to clients spread across them. */
class ClusterTest {

  private TestCluster cluster;

  @BeforeEach
  void startCluster() {
    cluster = TestCluster.start(3, new JsonObject());
  }

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  private static JsonObject send(String room, String text) {
    return new JsonObject().put("type", "send").put("room", room).put("text", text);
  }

  @Test
  void members_presence_and_messages_span_every_node() {
    TestClient alice = cluster.user(0, "alice");
    TestClient bob = cluster.user(1, "bob");
    TestClient carol = cluster.user(2, "carol");
    alice.join("general");
    bob.join("general");
    assertEquals("bob", alice.expect("presence").getString("nick"));
    JsonObject joined = carol.join("general");
    assertEquals(new JsonArray(List.of("alice", "bob", "carol")), joined.getJsonArray("members"));
    assertEquals("carol", alice.expect("presence").getString("nick"));
    assertEquals("carol", bob.expect("presence").getString("nick"));

    long id = 0;
    for (TestClient sender : List.of(alice, bob, carol)) {
      id++;
      sender.send(send("general", "from " + sender.nick()));
      for (TestClient member : List.of(alice, bob, carol)) {
        JsonObject message = member.expect("message");
        assertEquals(id, message.getLong("id"), "ids are +1 per room across nodes");
        assertEquals(sender.nick(), message.getString("from"));
      }
    }
  }

  @Test
  void nicks_are_unique_across_the_cluster() {
    cluster.user(0, "alice");
    TestClient impostor = cluster.anonymous(2);
    impostor.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    impostor.expectError("nick_taken");
  }

  @Test
  void concurrent_senders_on_every_node_are_seen_in_id_order_everywhere() {
    List<TestClient> members = List.of(cluster.user(0, "a"), cluster.user(1, "b"), cluster.user(2, "c"));
    for (TestClient member : members) {
      member.join("busy");
    }
    members.get(0).expect("presence");
    members.get(0).expect("presence");
    members.get(1).expect("presence");
    int each = 30;
    for (int n = 0; n < each; n++) {
      for (TestClient member : members) {
        member.send(send("busy", member.nick() + n));
      }
    }
    for (TestClient member : members) {
      Map<String, Integer> perSender = new HashMap<>();
      for (long id = 1; id <= 3L * each; id++) {
        JsonObject message = member.expect("message");
        assertEquals(id, message.getLong("id"), member.nick() + " sees ids in order, once each");
        String from = message.getString("from");
        int sequence = perSender.merge(from, 1, Integer::sum) - 1;
        assertEquals(from + sequence, message.getString("text"), "each sender's messages keep their order");
      }
    }
  }

  @Test
  void history_and_since_are_the_same_on_every_node() {
    TestClient alice = cluster.user(0, "alice");
    alice.join("general");
    for (int i = 1; i <= 10; i++) {
      alice.say("general", "m" + i);
    }
    for (int node = 0; node < 3; node++) {
      TestClient reader = cluster.user(node, "reader" + node);
      reader.send(new JsonObject().put("type", "history").put("room", "general").put("before", 8).put("limit", 3));
      assertEquals(List.of(5L, 6L, 7L), ids(reader.expect("history").getJsonArray("messages")));
      JsonObject joined = reader.join("general", 6);
      assertEquals(List.of(7L, 8L, 9L, 10L), ids(joined.getJsonArray("history")));
      assertTrue(joined.getBoolean("recovered"));
      assertEquals(10L, joined.getLong("lastId"));
      // The id range a node reads to fill a gap.
      assertEquals(List.of(3L, 4L, 5L),
          io.parley.support.NodeInternals.historyRange(cluster.member(node).vertx(), "general", 3, 5));
    }
  }

  @Test
  void a_client_that_moves_to_another_node_resumes_with_no_gap_and_no_duplicate() {
    TestClient alice = cluster.user(0, "alice");
    TestClient bob = cluster.user(1, "bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    long lastSeen = 0;
    for (int i = 1; i <= 3; i++) {
      alice.say("general", "before " + i);
      lastSeen = bob.expect("message").getLong("id");
    }
    bob.close();
    assertEquals("leave", alice.expect("presence").getString("event"));
    for (int i = 1; i <= 4; i++) {
      alice.say("general", "while away " + i);
    }
    TestClient bobAgain = cluster.user(2, "bob");
    JsonObject joined = bobAgain.join("general", lastSeen);
    assertEquals(List.of(4L, 5L, 6L, 7L), ids(joined.getJsonArray("history")));
    assertTrue(joined.getBoolean("recovered"));
    alice.expect("presence");
    alice.say("general", "welcome back");
    assertEquals(8L, bobAgain.expect("message").getLong("id"), "live messages follow the history exactly");
  }

  @Test
  void send_repeated_cid_on_another_node_is_published_once_and_the_epoch_is_the_same_everywhere() {
    TestClient alice = cluster.user(0, "alice");
    TestClient bob = cluster.user(1, "bob");
    String epoch = alice.join("general").getString("epoch");
    assertEquals(epoch, bob.join("general").getString("epoch"), "one epoch, cluster-wide");
    alice.expect("presence");
    alice.send(send("general", "maybe lost").put("cid", "c1"));
    long id = bob.expect("message").getLong("id");
    alice.close();
    assertEquals("leave", bob.expect("presence").getString("event"));
    // The client retries on another node, under the same nick, with the same cid.
    TestClient again = cluster.anonymous(2);
    again.helloWhenFree(cluster.member(2).vertx(), "alice");
    JsonObject joined = again.join("general", id - 1);
    assertEquals(epoch, joined.getString("epoch"));
    assertEquals(id, joined.getJsonArray("history").getJsonObject(0).getLong("id"), "its resume has the message");
    again.send(send("general", "maybe lost").put("cid", "c1"));
    again.send(send("general", "barrier").put("cid", "c2"));
    assertEquals("join", bob.expect("presence").getString("event"));
    assertEquals("barrier", bob.expect("message").getString("text"), "the retry was not published again");
  }

  @Test
  void rooms_list_counts_members_on_every_node() {
    cluster.user(0, "alice").join("general");
    cluster.user(1, "bob").join("general");
    TestClient carol = cluster.user(2, "carol");
    carol.join("random");
    carol.send(new JsonObject().put("type", "rooms"));
    JsonArray rooms = carol.expect("rooms").getJsonArray("rooms");
    rooms.forEach(room -> ((JsonObject) room).remove("lastActive"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("room", "general").put("kind", "public").put("members", 2).put("lastId", 0)
            .put("owner", "alice").put("read", 0).put("unread", 0))
        .add(new JsonObject().put("room", "random").put("kind", "public").put("members", 1).put("lastId", 0)
            .put("owner", "carol").put("read", 0).put("unread", 0)), rooms);
  }

  @Test
  void a_node_that_shuts_down_closes_its_clients_with_1012_and_its_members_leave_at_once() {
    TestClient alice = cluster.user(0, "alice");
    TestClient bob = cluster.user(1, "bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    cluster.member(1).shutdown();
    assertEquals(1012, bob.awaitClose());
    JsonObject presence = alice.expect("presence");
    assertEquals("bob", presence.getString("nick"));
    assertEquals("leave", presence.getString("event"));
    // The nick is free again, and the two remaining nodes still chat.
    TestClient bobAgain = cluster.user(2, "bob");
    bobAgain.join("general");
    alice.expect("presence");
    alice.say("general", "still here");
    assertEquals("still here", bobAgain.expect("message").getString("text"));
  }

  static List<Long> ids(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("id")).toList();
  }
}
