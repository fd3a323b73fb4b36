package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** RATE_LIMIT_PER_S with RATE_LIMIT_BURST, and MAX_ROOMS_PER_CONNECTION, on /ws. */
class RateAndRoomLimitsTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.RATE_LIMIT_PER_S.name(), 4).put(Settings.RATE_LIMIT_BURST.name(), 5)
        .put(Settings.MAX_ROOMS_PER_CONNECTION.name(), 3).put(Settings.RATE_LIMIT_CLOSE_AFTER.name(), 30);
  }

  @Test
  void rate_limited() {
    TestClient alice = user("alice"); // hello took one token: four left
    for (int i = 0; i < 8; i++) {
      alice.send(new JsonObject().put("type", "rooms").put("ref", "r" + i));
    }
    // Refusals are written at once; answers come from the chat service: they may arrive in either order.
    java.util.Set<String> answered = new java.util.TreeSet<>();
    java.util.Set<String> refused = new java.util.TreeSet<>();
    for (int i = 0; i < 8; i++) {
      JsonObject frame = alice.next();
      ("rooms".equals(frame.getString("type")) ? answered : refused).add(frame.getString("ref"));
      if (!"rooms".equals(frame.getString("type"))) {
        assertEquals("rate_limited", frame.getString("code"));
      }
    }
    // Four tokens were left; a stall of the test machine may refill one more meanwhile.
    assertTrue(answered.size() == 4 || answered.size() == 5, () -> "answered " + answered);
    assertTrue(answered.containsAll(java.util.Set.of("r0", "r1", "r2", "r3")), () -> "answered " + answered);
    assertTrue(refused.containsAll(java.util.Set.of("r5", "r6", "r7")), () -> "the refused frames are named: " + refused);
    // The bucket refills at RATE_LIMIT_PER_S: a second later, frames are served again (a wait on the clock is
    // what is under test here).
    vertx.timer(1100).await();
    alice.send(new JsonObject().put("type", "rooms").put("ref", "later"));
    assertEquals("later", alice.expect("rooms").getString("ref"));
  }

  @Test
  void rate_limited_send_publishes_nothing() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    for (int i = 0; i < 6; i++) {
      alice.send(new JsonObject().put("type", "send").put("room", "general").put("text", "m" + i));
    }
    // hello and join took two tokens: three sends pass (four if a stall refilled one), the rest are refused.
    int echoes = 0;
    int refusals = 0;
    for (int i = 0; i < 6; i++) {
      JsonObject frame = alice.next();
      echoes += "message".equals(frame.getString("type")) ? 1 : 0;
      refusals += "rate_limited".equals(frame.getString("code")) ? 1 : 0;
    }
    assertEquals(6, echoes + refusals);
    assertTrue(echoes == 3 || echoes == 4, "echoes " + echoes);
    for (int i = 0; i < echoes; i++) {
      assertEquals(i + 1L, bob.expect("message").getLong("id"));
    }
    vertx.timer(1100).await();
    assertEquals(echoes + 1L, alice.say("general", "after the pause").getLong("id"), "no id was used by a refused send");
  }

  /** Past RATE_LIMIT_CLOSE_AFTER refusals in a row the client is flooding: closed with 1008 (binary frames too). */
  @Test
  void close_1008_flooding_past_the_rate_limit() {
    TestClient mallory = user("mallory");
    try {
      for (int i = 0; i < 20; i++) {
        mallory.send(new JsonObject().put("type", "rooms"));
        mallory.sendBinary(io.vertx.core.buffer.Buffer.buffer("x"));
      }
    } catch (Throwable closedMeanwhile) { // Vert.x's "WebSocket is closed" is not a RuntimeException
      // the server closed it before the last frames were written: what is under test
    }
    assertEquals(1008, mallory.awaitClose());
    TestClient alice = user("alice");
    alice.send(new JsonObject().put("type", "rooms").put("ref", "after"));
    assertEquals("after", alice.expect("rooms").getString("ref"), "everyone else is served");
  }

  @Test
  void too_many_rooms() {
    TestClient alice = user("alice");
    alice.join("a");
    alice.join("b");
    alice.join("c");
    alice.send(new JsonObject().put("type", "join").put("room", "d").put("ref", "d"));
    assertEquals("d", alice.expectError("too_many_rooms").getString("ref"));
    vertx.timer(1100).await(); // tokens back
    alice.join("a"); // a resync of a room it is in is not a new room
    alice.send(new JsonObject().put("type", "leave").put("room", "b"));
    alice.expect("left");
    assertEquals("d", alice.join("d").getString("room"));
  }
}
