package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A big room across three nodes ({@code BIG_ROOM_SIZE} 3, pages of 2): one count and one member list however the
 * joins are spread, pages read from any node, and counts instead of presence from every node, the latest winning
 * by its version.
 */
class BigRoomClusterTest {

  private static final List<String> NICKS = List.of("amy", "ben", "cat", "dan", "eve", "fay", "gus");
  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3, new JsonObject().put(Settings.STORAGE.name(), "memory")
        .put(Settings.BIG_ROOM_SIZE.name(), 3).put(Settings.MEMBERS_PAGE_SIZE.name(), 2)
        .put(Settings.BIG_ROOM_COUNT_INTERVAL_MS.name(), 300));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void a_big_room_spans_the_nodes() {
    List<TestClient> members = new ArrayList<>();
    List<JsonObject> answers = new ArrayList<>();
    for (int i = 0; i < NICKS.size(); i++) {
      TestClient member = cluster.user(i % 3, NICKS.get(i));
      answers.add(member.join("hall"));
      members.add(member);
    }
    JsonObject last = answers.get(NICKS.size() - 1);
    assertEquals(7, last.getInteger("memberCount"));
    assertEquals(List.of("amy", "ben"), last.getJsonArray("members").getList());
    assertEquals("ben", last.getString("membersNext"));

    // Paged from a node other than the one that answered the join: the same room, whole, in nick order.
    TestClient reader = members.get(1);
    List<String> paged = new ArrayList<>();
    String after = null;
    do {
      JsonObject ask = new JsonObject().put("type", "members").put("room", "hall").put("ref", "page");
      reader.send(after == null ? ask : ask.put("after", after));
      JsonObject page = reader.expectPast("members", "presence", "count");
      assertEquals(7, page.getInteger("count"));
      paged.addAll(page.getJsonArray("members").getList());
      after = page.getString("next");
    } while (after != null);
    assertEquals(NICKS, paged);

    // amy (node 0) heard ben and cat by presence, then counts from whichever nodes made the changes; the count of
    // the highest version is the room's.
    TestClient amy = members.get(0);
    assertEquals("ben", amy.expect("presence").getString("nick"));
    assertEquals("cat", amy.expect("presence").getString("nick"));
    long highest = 0;
    int count = 0;
    while (count != 7 || highest != last.getLong("membersVersion")) {
      JsonObject frame = amy.next();
      assertEquals("count", frame.getString("type"), () -> "past the size, only counts: " + frame.encode());
      if (frame.getLong("version") > highest) {
        highest = frame.getLong("version");
        count = frame.getInteger("count");
      }
    }
    assertNotEquals(0, highest);

    // A member of node 2 leaves: the others learn it from node 2's count.
    members.get(NICKS.size() - 2).close(); // fay, on node 2
    JsonObject after6;
    do {
      after6 = amy.expect("count");
    } while (after6.getLong("version") <= highest);
    assertEquals(6, after6.getInteger("count"));
    assertTrue(after6.getLong("version") > last.getLong("membersVersion"));
  }
}
