package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Without {@code JWT_KEY} (nor {@code JWKS_URL}, nor {@code AUTH_PROXY_URL}) nothing verifies a token: a hello that
 * carries one is a guest's like any other, and cannot take over another guest's nick.
 */
class UnverifiedTokenTest extends ParleyServerTest {

  @Test
  void an_unverified_token_does_not_take_over_a_guests_nick() {
    TestClient carol = user("carol");
    JsonObject answer = anonymous().send(new JsonObject().put("type", "hello").put("nick", "carol")
        .put("token", "anything.at.all")).next();
    assertEquals("nick_taken", answer.getString("code"), answer::encode);

    // carol herself is still carol, alone in her rooms: nobody else joined as her.
    carol.join("lobby");
    carol.expectNothingQueued();
  }
}
