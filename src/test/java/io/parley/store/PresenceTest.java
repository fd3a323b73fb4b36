package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules both directories apply to users with many connections (rooms: {@link RoomMembersTest}). */
class PresenceTest {

  private static final long TTL = 60_000;

  @Test
  void a_free_nick_is_claimed_with_a_new_session() {
    JsonObject user = Presence.claim(null, "c1", "n1", null, false, 1000, TTL, "s1");
    assertEquals("s1", user.getString("session"));
    assertEquals("n1", Presence.connections(user).getString("c1"));
  }

  @Test
  void a_held_nick_takes_another_connection_only_with_its_session_or_a_token() {
    JsonObject user = Presence.claim(null, "c1", "n1", null, false, 1000, TTL, "s1");
    assertNull(Presence.claim(user, "c2", "n2", null, false, 1000, TTL, "s2"));
    assertNull(Presence.claim(user, "c2", "n2", "wrong", false, 1000, TTL, "s2"));
    JsonObject two = Presence.claim(user, "c2", "n2", "s1", false, 1000, TTL, "s2");
    assertEquals(2, Presence.connections(two).size());
    assertEquals("s1", two.getString("session"), "the user keeps its session");
    assertNotNull(Presence.claim(Presence.claim(null, "c1", "n1", null, true, 1000, TTL, "x"), "c2", "n2", null, true,
        1000, TTL, "y"), "a valid token is the user");
  }

  @Test
  void a_nick_is_held_for_the_ttl_after_its_last_connection() {
    JsonObject user = Presence.claim(null, "c1", "n1", null, false, 1000, TTL, "s1");
    JsonObject gone = Presence.release(user, "c1", 2000);
    assertEquals(2000L, gone.getLong("left"));
    assertNull(Presence.claim(gone, "c2", "n1", null, false, 2000 + TTL - 1, TTL, "s2"), "within the TTL");
    assertNotNull(Presence.claim(gone, "c2", "n1", "s1", false, 2000 + TTL - 1, TTL, "s2"), "with the session");
    JsonObject fresh = Presence.claim(gone, "c2", "n1", null, false, 2000 + TTL, TTL, "s2");
    assertEquals("s2", fresh.getString("session"), "after the TTL: a new user");
    assertTrue(Presence.expired(gone, 2000 + TTL, TTL));
    assertFalse(Presence.expired(user, 2000 + TTL, TTL), "a connected user never expires");
  }

  @Test
  void a_dead_node_takes_only_its_connections() {
    JsonObject user = Presence.claim(null, "c1", "n1", null, true, 1000, TTL, null);
    user = Presence.claim(user, "c2", "n2", null, true, 1000, TTL, null);
    JsonObject after = Presence.releaseNode(user, "n1", 5000);
    assertEquals(List.of("c2"), List.copyOf(Presence.connections(after).fieldNames()));
    assertEquals(0L, after.getLong("left"));
    assertNull(Presence.releaseNode(after, "n9", 5000), "nothing there");
    assertEquals(5000L, Presence.releaseNode(after, "n2", 5000).getLong("left"));
  }
}
