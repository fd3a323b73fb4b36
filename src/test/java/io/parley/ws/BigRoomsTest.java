package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Big rooms (docs/PROTOCOL.md, "Big rooms: counts, pages and thinned presence"), with {@code BIG_ROOM_SIZE} 3 and
 * pages of 2: past the size, `joined` carries a first page and the count, `members` pages through the rest, and
 * joins and leaves come as throttled `count` frames instead of presence.
 */
class BigRoomsTest extends ParleyServerTest {

  /** Long enough that joins made one after another fall in one interval, even on a slow machine. */
  private static final int INTERVAL_MS = 3000;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.BIG_ROOM_SIZE.name(), 3).put(Settings.MEMBERS_PAGE_SIZE.name(), 2)
        .put(Settings.BIG_ROOM_COUNT_INTERVAL_MS.name(), INTERVAL_MS);
  }

  /** alice, bob and carol in "hall" (not big yet); alice has taken the presence of the other two. */
  private TestClient hallOfThree() {
    TestClient alice = user("alice");
    alice.join("hall");
    for (String nick : List.of("bob", "carol")) {
      user(nick).join("hall");
      JsonObject presence = alice.expect("presence");
      assertEquals(nick, presence.getString("nick"));
    }
    return alice;
  }

  @Test
  void presence_carries_the_member_count() {
    TestClient alice = user("alice");
    assertEquals(1, alice.join("hall").getInteger("memberCount"));
    TestClient bob = user("bob");
    bob.join("hall");
    assertEquals(2, alice.expect("presence").getInteger("count"));
    bob.close();
    JsonObject left = alice.expect("presence");
    assertEquals("leave", left.getString("event"));
    assertEquals(1, left.getInteger("count"));
  }

  @Test
  void big_room_joined_carries_a_first_page_and_the_count() {
    hallOfThree();
    JsonObject joined = user("dave").join("hall");
    assertEquals(new JsonArray().add("alice").add("bob"), joined.getJsonArray("members"));
    assertEquals(4, joined.getInteger("memberCount"));
    assertEquals("bob", joined.getString("membersNext"));
    JsonObject small = user("erin").join("elsewhere");
    assertFalse(small.containsKey("membersNext"), "a room within the size is answered whole");
  }

  @Test
  void members_pages_through_a_big_room() {
    hallOfThree();
    TestClient dave = user("dave");
    JsonObject joined = dave.join("hall");
    dave.send(new JsonObject().put("type", "members").put("room", "hall")
        .put("after", joined.getString("membersNext")).put("ref", "p2"));
    JsonObject page = dave.expect("members");
    assertEquals("p2", page.getString("ref"));
    assertEquals(new JsonArray().add("carol").add("dave"), page.getJsonArray("members"));
    assertEquals(4, page.getInteger("count"));
    assertEquals(joined.getLong("membersVersion"), page.getLong("version"));
    assertNull(page.getString("next"), "the last page");
    dave.send(new JsonObject().put("type", "members").put("room", "hall").put("limit", 3));
    JsonObject first = dave.expect("members");
    assertEquals(new JsonArray().add("alice").add("bob"), first.getJsonArray("members"),
        "a limit above MEMBERS_PAGE_SIZE is capped to it");
    assertEquals("bob", first.getString("next"));
    dave.send(new JsonObject().put("type", "members").put("room", "nowhere"));
    JsonObject none = dave.expect("members");
    assertEquals(0, none.getInteger("count"));
    assertTrue(none.getJsonArray("members").isEmpty());
  }

  @Test
  void members_refusals() {
    TestClient alice = user("alice");
    alice.send(new JsonObject().put("type", "members").put("room", "hall").put("after", 7));
    alice.expectError("wrong_type");
    alice.send(new JsonObject().put("type", "members"));
    alice.expectError("missing_field");
    alice.send(new JsonObject().put("type", "join").put("room", "ops").put("visibility", "private"));
    alice.expect("joined");
    TestClient bob = user("bob");
    bob.send(new JsonObject().put("type", "members").put("room", "ops"));
    bob.expectError("forbidden");
  }

  @Test
  void big_room_announces_counts_not_presence() {
    TestClient alice = hallOfThree();
    long before = 0;
    for (String nick : List.of("dave", "erin", "frank")) {
      before = Math.max(before, user(nick).join("hall").getLong("membersVersion"));
    }
    // The first change past the size goes out at once; the next two fall in its interval and go out as one.
    JsonObject first = alice.expect("count");
    assertEquals(4, first.getInteger("count"));
    JsonObject second = alice.expect("count");
    assertEquals(6, second.getInteger("count"));
    assertEquals(before, second.getLong("version"), "the count of the latest change");
    assertTrue(first.getLong("version") < second.getLong("version"));
    alice.expectNothingQueued();
  }

  /** Asks for "hall"'s members until the server counts {@code count} (each ask a round trip: no sleep). */
  private static void awaitMembers(TestClient client, int count) {
    for (int asked = 0; asked < 500; asked++) {
      client.send(new JsonObject().put("type", "members").put("room", "hall"));
      if (client.expect("members").getInteger("count") == count) {
        return;
      }
    }
    throw new AssertionError("hall never had " + count + " members");
  }

  @Test
  void a_room_back_within_the_size_announces_presence_again() {
    TestClient alice = user("alice");
    alice.join("hall");
    List<TestClient> others = new ArrayList<>();
    for (String nick : List.of("bob", "carol", "dave")) {
      TestClient other = user(nick);
      other.join("hall");
      others.add(other);
    }
    alice.expect("presence");
    alice.expect("presence");
    assertEquals(4, alice.expect("count").getInteger("count"));
    others.get(2).close(); // 4 to 3: still a change of a big room; its count waits for the interval
    awaitMembers(alice, 3); // two closes at once may be handled in either order
    others.get(1).close(); // 3 to 2: a presence, with its count (the waiting count is dropped: CountThrottleTest)
    JsonObject left = alice.expect("presence");
    assertEquals("carol", left.getString("nick"));
    assertEquals("leave", left.getString("event"));
    assertEquals(2, left.getInteger("count"));
    user("erin").join("hall");
    JsonObject joined = alice.expect("presence");
    assertEquals("erin", joined.getString("nick"));
    assertEquals(3, joined.getInteger("count"));
  }
}
