package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.RawBridge;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;

/** With JWT_KEY set, hello and the bridge's first join need a valid token, and the nick is its claim. */
class JwtAuthTest extends ParleyServerTest {

  private static final String SECRET = "a shared secret for the tests, long enough for HS256";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.JWT_KEY.name(), SECRET).put(Settings.JWT_ALGORITHM.name(), "HS256");
  }

  private String token(String secret, JsonObject claims) {
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return issuer.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
  }

  private String tokenFor(String nick) {
    return token(SECRET, new JsonObject().put("nick", nick).put("exp", System.currentTimeMillis() / 1000 + 60));
  }

  private JsonObject hello(JsonObject frame) {
    return anonymous().send(frame.put("type", "hello")).next();
  }

  @Test
  void auth_required() {
    JsonObject answer = hello(new JsonObject().put("nick", "alice"));
    assertEquals("auth_required", answer.getString("code"), answer::encode);
  }

  @Test
  void hello_with_a_token_takes_its_nick() {
    JsonObject welcome = hello(new JsonObject().put("token", tokenFor("alice")));
    assertEquals("welcome", welcome.getString("type"), welcome::encode);
    assertEquals("alice", welcome.getString("nick"));
  }

  @Test
  void invalid_token() {
    assertEquals("invalid_token", hello(new JsonObject().put("token", "not.a.jwt")).getString("code"));
    String forged = token("another secret, also long enough for HS256", new JsonObject().put("nick", "alice")
        .put("exp", System.currentTimeMillis() / 1000 + 60));
    assertEquals("invalid_token", hello(new JsonObject().put("token", forged)).getString("code"), "wrong key");
    String expired = token(SECRET, new JsonObject().put("nick", "alice").put("exp", System.currentTimeMillis() / 1000 - 60));
    assertEquals("invalid_token", hello(new JsonObject().put("token", expired)).getString("code"), "expired");
    String noExpiry = token(SECRET, new JsonObject().put("nick", "alice"));
    assertEquals("invalid_token", hello(new JsonObject().put("token", noExpiry)).getString("code"), "no expiry");
    String noNick = token(SECRET, new JsonObject().put("sub", "alice").put("exp", System.currentTimeMillis() / 1000 + 60));
    assertEquals("invalid_token", hello(new JsonObject().put("token", noNick)).getString("code"), "no nick claim");
  }

  @Test
  void issuer_and_audience_are_not_checked_when_not_configured() {
    String token = token(SECRET, new JsonObject().put("nick", "frank").put("iss", "https://anyone.example.com")
        .put("aud", new io.vertx.core.json.JsonArray().add("any-app")).put("exp", System.currentTimeMillis() / 1000 + 60));
    JsonObject welcome = hello(new JsonObject().put("token", token));
    assertEquals("welcome", welcome.getString("type"), welcome::encode);
  }

  @Test
  void a_token_living_longer_than_the_default_max_lifetime_of_a_day_is_refused() {
    long now = System.currentTimeMillis() / 1000;
    String stolen = token(SECRET, new JsonObject().put("nick", "grace").put("iat", now).put("exp", now + 30 * 86400));
    JsonObject answer = hello(new JsonObject().put("token", stolen));
    assertEquals("invalid_token", answer.getString("code"), answer::encode);
    String day = token(SECRET, new JsonObject().put("nick", "grace").put("iat", now).put("exp", now + 86400));
    assertEquals("welcome", hello(new JsonObject().put("token", day)).getString("type"), "a day is allowed");
  }

  @Test
  void a_token_for_another_nick_is_nick_mismatch() {
    JsonObject answer = hello(new JsonObject().put("nick", "bob").put("token", tokenFor("alice")));
    assertEquals("nick_mismatch", answer.getString("code"), answer::encode);
  }

  @Test
  void the_bridge_join_needs_a_token_too() {
    RawBridge carol = RawBridge.connect(vertx, node.httpPort());
    try {
      JsonObject refused = carol.requestFrame("chat.join", new JsonObject().put("room", "general").put("nick", "carol"));
      assertEquals("err", refused.getString("type"));
      assertEquals("auth_required", refused.getString("message").split(" ")[0]);
      JsonObject joined = carol.request("chat.join", new JsonObject().put("room", "general").put("token", tokenFor("carol")));
      assertEquals("[\"carol\"]", joined.getJsonArray("members").encode());
      TestClient dave = anonymous().send(new JsonObject().put("type", "hello").put("token", tokenFor("dave")));
      dave.expect("welcome");
      assertEquals(java.util.List.of("carol", "dave"), dave.join("general").getJsonArray("members").getList());
    } finally {
      carol.closeClient();
    }
  }
}
