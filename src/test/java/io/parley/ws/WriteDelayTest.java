package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** WRITE_DELAY_MS holds room events before the flush: they all still arrive, in order, to everyone. */
class WriteDelayTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.WRITE_DELAY_MS.name(), 30);
  }

  @Test
  void write_delay_delivers_every_message_in_order() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    for (int i = 0; i < 30; i++) { // pipelined (within RATE_LIMIT_BURST): several land in one delay
      alice.send(new JsonObject().put("type", "send").put("room", "general").put("text", "m" + i));
    }
    for (int i = 0; i < 30; i++) {
      JsonObject toBob = bob.expect("message");
      assertEquals("m" + i, toBob.getString("text"));
      assertEquals(i + 1L, toBob.getLong("id"));
      assertEquals("m" + i, alice.expect("message").getString("text"));
    }
  }
}
