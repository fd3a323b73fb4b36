package io.parley.users;

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

/** docs/PROTOCOL.md, "Who may read what": with authentication on, nothing is read anonymously. */
class AuthenticatedReadsTest extends ParleyServerTest {

  private static final String SECRET = "a shared secret for the tests, long enough for HS256";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.JWT_KEY.name(), SECRET).put(Settings.JWT_ALGORITHM.name(), "HS256");
  }

  private String tokenFor(String nick) {
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return issuer.generateToken(new JsonObject().put("nick", nick).put("exp", System.currentTimeMillis() / 1000 + 60),
        new JWTOptions().setAlgorithm("HS256"));
  }

  private TestClient withToken(String nick) {
    TestClient client = anonymous();
    client.send(new JsonObject().put("type", "hello").put("token", tokenFor(nick)));
    assertEquals(nick, client.expect("welcome").getString("nick"));
    return client;
  }

  @Test
  void the_bridge_reads_nothing_before_it_is_identified() {
    TestClient alice = withToken("alice");
    alice.join("general");
    alice.say("general", "for members of this server only");
    RawBridge anonymous = RawBridge.connect(vertx, node.httpPort());
    try {
      JsonObject history = anonymous.requestFrame("chat.history", new JsonObject().put("room", "general"));
      assertEquals("hello_required", history.getString("message").split(" ")[0], history::encode);
      JsonObject rooms = anonymous.requestFrame("chat.rooms", new JsonObject());
      assertEquals("hello_required", rooms.getString("message").split(" ")[0], rooms::encode);
      anonymous.register("chat.room.general");
      assertEquals("access_denied", anonymous.next().getString("body"));
      anonymous.register("chat.user");
      assertEquals("access_denied", anonymous.next().getString("body"));

      JsonObject hello = anonymous.request("chat.hello", new JsonObject().put("token", tokenFor("bob")));
      assertEquals("bob", hello.getString("nick"));
      assertEquals(1, anonymous.request("chat.history", new JsonObject().put("room", "general"))
          .getJsonArray("messages").size());
      java.util.List<JsonObject> frames = anonymous.framesUpToARequest("chat.rooms", new JsonObject());
      anonymous.register("chat.room.general"); // now allowed: its answer is nothing, a refusal would come first
      assertEquals("rec", anonymous.framesUpToARequest("chat.rooms", new JsonObject()).get(0).getString("type"));
      assertEquals(1, frames.size());
    } finally {
      anonymous.close();
    }
  }

  @Test
  void a_token_user_may_connect_twice() {
    TestClient first = withToken("alice");
    TestClient second = withToken("alice");
    first.join("general");
    assertEquals("join", second.expect("device").getString("event"));
    JsonObject joined = second.join("general");
    assertEquals(1, joined.getJsonArray("members").size());
  }
}
