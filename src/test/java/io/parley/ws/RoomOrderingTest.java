package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.bus.Addresses;
import io.parley.config.Settings;
import io.parley.fanout.RoomEvent;
import io.parley.protocol.ServerFrames;
import io.parley.support.NodeInternals;
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
    return new JsonObject().put(Settings.GAP_FILL_MS.name(), 100);
  }

  /** A presence frame as another node's chat service publishes it. */
  private void publishPresence(String nick, long version) {
    vertx.eventBus().publish(Addresses.FANOUT,
        RoomEvent.of(ServerFrames.presence("general", nick, "join", version, 1)));
  }

  private void publishAsAnotherNode(long id) {
    vertx.eventBus().publish(Addresses.FANOUT, RoomEvent.of(new JsonObject().put("type", "message").put("room", "general")
        .put("id", id).put("from", "elsewhere").put("text", "m" + id).put("ts", System.currentTimeMillis())));
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

  /**
   * A presence frame can reach a node after a later join's snapshot was read (it was published before, by another
   * node or just before the join): its version says the snapshot already covers it, and it is not delivered.
   */
  @Test
  void a_presence_older_than_the_join_snapshot_is_dropped() {
    TestClient alice = user("alice");
    long first = alice.join("general").getLong("membersVersion");
    TestClient bob = user("bob");
    JsonObject joined = bob.join("general");
    assertEquals(first + 1, joined.getLong("membersVersion"));
    assertEquals(first + 1, alice.expect("presence").getLong("version"));
    publishPresence("carol", first); // stale: before bob's snapshot
    publishPresence("dave", first + 2); // news
    assertEquals("dave", bob.expect("presence").getString("nick"), "carol's stale join was dropped");
    assertEquals("dave", alice.expect("presence").getString("nick"), "so was it for alice, who had seen version 2");
    // Changes of different nicks from different nodes may cross: both still reach everyone.
    publishPresence("frank", first + 4);
    publishPresence("erin", first + 3);
    assertEquals("frank", bob.expect("presence").getString("nick"));
    assertEquals("erin", bob.expect("presence").getString("nick"), "an older version after a newer one is not dropped");
  }

  /** The directory forgets a room without members; its versions must still never go back (a client would drop them). */
  @Test
  void a_room_that_empties_and_fills_again_keeps_its_membership_versions_growing() {
    TestClient alice = user("alice");
    long first = alice.join("general").getLong("membersVersion");
    alice.send(new JsonObject().put("type", "leave").put("room", "general"));
    alice.expect("left");
    long again = alice.join("general").getLong("membersVersion");
    assertTrue(again > first + 1, "after the room emptied: " + again + ", before: " + first);
  }

  @Test
  void history_reads_an_id_range_for_gap_filling() {
    TestClient alice = user("alice");
    alice.join("general");
    for (int i = 1; i <= 6; i++) {
      alice.say("general", "m" + i);
    }
    assertEquals(List.of(3L, 4L, 5L), NodeInternals.historyRange(vertx, "general", 3, 5));
  }
}
