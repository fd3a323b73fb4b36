package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Room epochs and idempotent sends: what a client needs to resume without a gap and retry without a duplicate. */
class RecoveryTest extends ParleyServerTest {

  private static JsonObject send(String text, String cid) {
    return new JsonObject().put("type", "send").put("room", "general").put("text", text).put("cid", cid);
  }

  @Test
  void joined_carries_the_room_epoch() {
    TestClient alice = user("alice");
    String epoch = alice.join("general").getString("epoch");
    assertNotNull(epoch);
    assertEquals(epoch, user("bob").join("general").getString("epoch"), "one epoch per room history");
    alice.expect("presence");
    assertNotNull(alice.join("random").getString("epoch"));
  }

  @Test
  void join_since_from_another_epoch_is_not_recovered() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 3; i++) {
      alice.say("general", "m" + i);
    }
    TestClient bob = user("bob");
    JsonObject joined = bob.join("general"); // learns the epoch
    JsonObject same = bob.send(new JsonObject().put("type", "join").put("room", "general").put("since", 2)
        .put("epoch", joined.getString("epoch"))).expect("joined");
    assertTrue(same.getBoolean("recovered"));
    assertEquals(List.of(3L), WebSocketFramesTest.ids(same.getJsonArray("history")));
    // Ids of an older history (a restarted node's) say nothing about this one: recent history, not recovered.
    JsonObject other = bob.send(new JsonObject().put("type", "join").put("room", "general").put("since", 2)
        .put("epoch", "an-older-epoch")).expect("joined");
    assertFalse(other.getBoolean("recovered"));
    assertEquals(List.of(1L, 2L, 3L), WebSocketFramesTest.ids(other.getJsonArray("history")));
    assertEquals(joined.getString("epoch"), other.getString("epoch"));
  }

  @Test
  void send_repeated_cid_is_published_once() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    alice.send(send("once", "c1")).send(send("once", "c1"));
    JsonObject first = bob.expect("message");
    assertEquals("c1", first.getString("cid"));
    alice.send(send("barrier", "c2"));
    assertEquals("barrier", bob.expect("message").getString("text"), "the repeat was not published");
    // The sender gets its message once: the echo, or the stored copy for the repeat, whichever came first.
    assertEquals(first.getLong("id"), alice.expect("message").getLong("id"));
    assertEquals("barrier", alice.expect("message").getString("text"));
    alice.expectNothingQueued();
  }

  @Test
  void send_repeated_cid_after_a_reconnect_is_published_once() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    alice.send(send("maybe lost", "c1"));
    long id = bob.expect("message").getLong("id");
    alice.close(); // the client does not know whether its message got through
    assertEquals("leave", bob.expect("presence").getString("event"));
    TestClient again = reconnect("alice");
    JsonObject joined = again.join("general", 0);
    assertEquals(id, joined.getLong("lastId"));
    again.send(send("maybe lost", "c1")); // the retry
    again.send(send("barrier", "c2"));
    assertEquals("join", bob.expect("presence").getString("event"));
    assertEquals("barrier", bob.expect("message").getString("text"), "the retry was not published");
    assertEquals("barrier", again.expect("message").getString("text"), "its resume already had the first one");
  }

  /** A new connection welcomed as {@code nick}, once the server has released it. */
  private TestClient reconnect(String nick) {
    TestClient client = anonymous();
    client.helloWhenFree(vertx, nick);
    return client;
  }
}
