package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.bus.Addresses;
import io.parley.config.ParleyConfig;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a node hands out room messages that arrive out of order, twice, or with a gap, as they can in a
 * cluster. The test publishes on the room's address as another node would.
 */
class RoomOrderingTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(ParleyConfig.GAP_FILL_MS, 100);
  }

  private void publishAsAnotherNode(long id) {
    vertx.eventBus().publish(Addresses.room("general"), new JsonObject().put("type", "message").put("room", "general")
        .put("id", id).put("from", "elsewhere").put("text", "m" + id).put("ts", System.currentTimeMillis()));
  }

  @Test
  void early_messages_wait_for_their_predecessors_and_duplicates_are_dropped() {
    TestClient alice = user("alice");
    alice.join("general");
    assertEquals(1L, alice.say("general", "one").getLong("id"));
    publishAsAnotherNode(3);
    publishAsAnotherNode(2);
    publishAsAnotherNode(3);
    publishAsAnotherNode(4);
    assertEquals(2L, alice.expect("message").getLong("id"));
    assertEquals(3L, alice.expect("message").getLong("id"));
    assertEquals(4L, alice.expect("message").getLong("id"), "the second 3 was dropped");
  }

  @Test
  void a_gap_that_history_cannot_fill_is_skipped_after_gap_fill_ms() {
    TestClient alice = user("alice");
    alice.join("general");
    assertEquals(1L, alice.say("general", "one").getLong("id"));
    publishAsAnotherNode(3); // 2 never comes, and the room's history has no 2
    assertEquals(3L, alice.expect("message").getLong("id"));
  }

  @Test
  void history_reads_an_id_range_for_gap_filling() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 6; i++) {
      alice.say("general", "m" + i);
    }
    JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.HISTORY,
        new JsonObject().put("room", "general").put("from", 3).put("to", 5)).await().body();
    assertEquals(List.of(3L, 4L, 5L), WebSocketFramesTest.ids(reply.getJsonArray("messages")));
  }
}
