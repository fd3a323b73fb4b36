package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;

/** With JWT_ISSUER, JWT_AUDIENCE and JWT_MAX_LIFETIME_S set, a token must come from that issuer, for that audience, and live no longer. */
class JwtClaimsTest extends ParleyServerTest {

  private static final String SECRET = "a shared secret for the tests, long enough for HS256";
  private static final String ISSUER = "https://login.example.com";
  private static final String AUDIENCE = "parley";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.JWT_KEY.name(), SECRET).put(Settings.JWT_ALGORITHM.name(), "HS256")
        .put(Settings.JWT_ISSUER.name(), ISSUER).put(Settings.JWT_AUDIENCE.name(), AUDIENCE)
        .put(Settings.JWT_MAX_LIFETIME_S.name(), 3600);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** Signed with the server's key; {@code iat} is set to now unless the claims hold one, or {@code noIat}. */
  private String token(JsonObject claims, boolean noIat) {
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return issuer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(noIat));
  }

  /** Valid claims for {@code nick}: the right issuer and audience, ten minutes to live. */
  private static JsonObject claims(String nick) {
    return new JsonObject().put("nick", nick).put("iss", ISSUER).put("aud", AUDIENCE).put("exp", now() + 600);
  }

  private JsonObject hello(String token) {
    return anonymous().send(new JsonObject().put("type", "hello").put("token", token)).next();
  }

  private void accepted(String token, String nick) {
    JsonObject welcome = hello(token);
    assertEquals("welcome", welcome.getString("type"), welcome::encode);
    assertEquals(nick, welcome.getString("nick"));
  }

  private JsonObject refused(String token, String why) {
    JsonObject answer = hello(token);
    assertEquals("invalid_token", answer.getString("code"), () -> why + ": " + answer.encode());
    return answer;
  }

  @Test
  void the_issuer_must_be_jwt_issuer() {
    JsonObject wrong = refused(token(claims("alice").put("iss", "https://evil.example.com"), false), "wrong issuer");
    assertTrue(wrong.getString("message").contains("'iss'"), wrong::encode);
    refused(token(claims("alice").put("iss", ISSUER + "/"), false), "an issuer that is only alike");
    JsonObject claims = claims("alice");
    claims.remove("iss");
    refused(token(claims, false), "no issuer");
    accepted(token(claims("alice"), false), "alice");
  }

  @Test
  void the_audience_must_be_or_contain_jwt_audience() {
    JsonObject wrong = refused(token(claims("bob").put("aud", "another-app"), false), "wrong audience (string)");
    assertTrue(wrong.getString("message").contains("'aud'"), wrong::encode);
    refused(token(claims("bob").put("aud", new JsonArray().add("another-app").add("a-third")), false),
        "wrong audience (array)");
    JsonObject claims = claims("bob");
    claims.remove("aud");
    refused(token(claims, false), "no audience");
    accepted(token(claims("bob"), false), "bob");
    accepted(token(claims("carol").put("aud", new JsonArray().add("another-app").add(AUDIENCE)), false), "carol");
  }

  @Test
  void a_token_living_longer_than_jwt_max_lifetime_is_refused() {
    JsonObject tooLong = refused(token(claims("dave").put("iat", now()).put("exp", now() + 3601 + 5), false),
        "exp more than JWT_MAX_LIFETIME_S after iat");
    assertTrue(tooLong.getString("message").contains("lives too long"), tooLong::encode);
    refused(token(claims("dave").put("exp", now() + 7200), true), "no iat: exp more than JWT_MAX_LIFETIME_S from now");
    long future = now() + 100_000;
    refused(token(claims("dave").put("iat", future).put("exp", future + 60), false),
        "an iat in the future does not stretch the lifetime");
    accepted(token(claims("dave").put("iat", now() - 60).put("exp", now() + 3500), false), "dave");
    accepted(token(claims("erin").put("exp", now() + 600), true), "erin");
  }
}
