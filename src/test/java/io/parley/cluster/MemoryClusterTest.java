package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster with {@code STORAGE=memory}: messages in Hazelcast ringbuffers, room records and sent cids in Hazelcast
 * maps. Ids are +1 across nodes, a cid is stored once whichever node it is sent to, history is the same on every
 * node, and a room nobody created reads as empty without creating anything.
 */
class MemoryClusterTest {

  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(2, new JsonObject().put(Settings.STORAGE.name(), "memory"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void ids_cids_and_history_span_the_nodes_in_memory() {
    TestClient alice = cluster.user(0, "alice");
    TestClient bob = cluster.user(1, "bob");
    alice.join("mem");
    bob.join("mem");
    alice.expect("presence");
    assertEquals(1L, alice.say("mem", "one").getLong("id"));
    bob.expect("message");
    assertEquals(2L, bob.say("mem", "two").getLong("id"));
    alice.expect("message");
    bob.send(new JsonObject().put("type", "send").put("room", "mem").put("text", "three").put("cid", "c3"));
    assertEquals(3L, bob.expect("message").getLong("id"));
    alice.expect("message");
    bob.send(new JsonObject().put("type", "send").put("room", "mem").put("text", "three again").put("cid", "c3"));
    bob.send(new JsonObject().put("type", "send").put("room", "mem").put("text", "four"));
    assertEquals("four", bob.expect("message").getString("text"), "the repeat was not stored again");
    TestClient reader = cluster.user(0, "reader");
    JsonObject joined = reader.join("mem");
    assertEquals(List.of(1L, 2L, 3L, 4L), ClusterTest.ids(joined.getJsonArray("history")));
    reader.send(new JsonObject().put("type", "history").put("room", "nobody-made-it"));
    assertTrue(reader.expectPast("history", "presence", "message").getJsonArray("messages").isEmpty());
    reader.send(new JsonObject().put("type", "rooms"));
    assertEquals(1, reader.expectPast("rooms", "presence", "message").getJsonArray("rooms").size(),
        "only the room that was joined");
  }
}
