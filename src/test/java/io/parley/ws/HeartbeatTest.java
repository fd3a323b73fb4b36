package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.StuckClient;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The server pings; a connection from which nothing comes back for HEARTBEAT_TIMEOUT_MS is closed. */
class HeartbeatTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.HEARTBEAT_INTERVAL_MS.name(), 100).put(Settings.HEARTBEAT_TIMEOUT_MS.name(), 600);
  }

  @Test
  void heartbeat_timeout_closes_a_connection_that_stopped_answering() {
    TestClient alice = user("alice");
    alice.join("general");
    long stopped = System.nanoTime();
    // bob says hello, joins, and then hangs: it never reads again, so it never answers a ping.
    StuckClient bob = StuckClient.connect(node.httpPort(), "{\"type\":\"hello\",\"nick\":\"bob\"}",
        "{\"type\":\"join\",\"room\":\"general\"}");
    assertEquals("join", alice.expect("presence").getString("event"));
    JsonObject left = alice.expect("presence");
    assertEquals("leave", left.getString("event"));
    assertEquals("bob", left.getString("nick"));
    long ms = (System.nanoTime() - stopped) / 1_000_000;
    org.junit.jupiter.api.Assertions.assertTrue(ms < 6000, "closed within the timeout, the closing timeout and a beat, took " + ms + " ms");
    bob.close();
  }

  @Test
  void a_quiet_client_that_answers_pings_stays() {
    TestClient alice = user("alice");
    alice.join("general");
    vertx.timer(1500).await(); // over twice HEARTBEAT_TIMEOUT_MS without a frame from alice, only pongs
    assertEquals(1L, alice.say("general", "still here").getLong("id"));
  }
}
