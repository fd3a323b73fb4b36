package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A guest's nick is free {@code GUEST_SESSION_TTL_S} after its last connection closed, and not before. */
class GuestSessionTtlTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.GUEST_SESSION_TTL_S.name(), 1);
  }

  @Test
  void a_guest_nick_is_free_after_the_session_ttl() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    long closed = System.nanoTime();
    first.close();
    TestClient next = anonymous();
    JsonObject answer;
    do {
      answer = next.send(new JsonObject().put("type", "hello").put("nick", "alice")).next();
      if (!"welcome".equals(answer.getString("type"))) {
        assertEquals("nick_taken", answer.getString("code"), answer::encode);
        vertx.timer(100).await();
      }
    } while (!"welcome".equals(answer.getString("type")) && System.nanoTime() - closed < 10_000_000_000L);
    assertEquals("welcome", answer.getString("type"), "free after the TTL");
    long waitedMs = (System.nanoTime() - closed) / 1_000_000;
    org.junit.jupiter.api.Assertions.assertTrue(waitedMs >= 900, "not before the TTL: " + waitedMs + " ms");
    assertNotEquals(session, answer.getString("session"), "a new user, with a new session");
  }
}
