package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code TCP_BRIDGE_AUTH=required} (docs/PROTOCOL.md, "TCP bridge", "Authentication"): the first frame is an
 * {@code auth} frame with an API key or a JWT, or the connection is refused and closed.
 */
class TcpBridgeAuthTest extends ParleyServerTest {

  private static final String KEY = "tcp-bridge-key-0123456789";
  private static final String SECRET = "a secret for HS256 that is long enough, 0123456789";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0)
        .put(Settings.TCP_BRIDGE_AUTH.name(), "required").put(Settings.TCP_BRIDGE_AUTH_TIMEOUT_MS.name(), 500)
        .put(Settings.API_KEYS.name(), KEY)
        .put(Settings.JWT_KEY.name(), SECRET).put(Settings.JWT_ALGORITHM.name(), "HS256");
  }

  @Test
  void tcp_bridge_auth_with_an_api_key_then_is_served() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    bridge.write(new JsonObject().put("type", "auth").put("apiKey", KEY));
    assertEquals("authed", next(bridge).getString("type"));
    // Admitted; who it is in chat is still what its chat.join says (here, with JWT_KEY set, a token).
    bridge.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", next(bridge).getString("type"));
    bridge.close();
  }

  @Test
  void tcp_bridge_auth_with_a_token_serves_the_frames_sent_behind_it() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    String token = token(SECRET, "alice");
    // All at once: the frames after the auth frame wait for the token's check, in order.
    bridge.write(new JsonObject().put("type", "auth").put("token", token));
    bridge.write(new JsonObject().put("type", "ping"));
    JsonObject authed = next(bridge);
    assertEquals("authed", authed.getString("type"), authed::encode);
    assertEquals("alice", authed.getString("nick"));
    assertEquals("pong", next(bridge).getString("type"));
    bridge.close();
  }

  @Test
  void tcp_bridge_auth_required_before_any_other_frame() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    Promise<Void> closed = closeOf(bridge);
    bridge.write(new JsonObject().put("type", "ping"));
    JsonObject refusal = next(bridge);
    assertEquals("err", refusal.getString("type"));
    assertEquals("auth_required", refusal.getString("message"));
    closed.future().await(10, TimeUnit.SECONDS);
    assertNull(bridge.frames().poll(), "no pong: nothing else was served");
  }

  @Test
  void tcp_bridge_auth_failed_with_a_wrong_key_or_a_forged_token() throws Exception {
    for (JsonObject auth : new JsonObject[] {
        new JsonObject().put("type", "auth").put("apiKey", "not-the-key-0123456789"),
        new JsonObject().put("type", "auth").put("token", token("another secret for HS256, long enough 01234", "bob")),
        new JsonObject().put("type", "auth")}) {
      TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
      Promise<Void> closed = closeOf(bridge);
      bridge.write(auth);
      assertEquals("auth_failed", next(bridge).getString("message"), auth::encode);
      closed.future().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tcp_bridge_auth_timeout_closes_a_silent_connection() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    Promise<Void> closed = closeOf(bridge);
    assertEquals("auth_timeout", next(bridge).getString("message"));
    closed.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void tcp_bridge_frame_over_the_limit_before_auth_closes_the_connection() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    Promise<Void> closed = closeOf(bridge);
    bridge.socket().write(io.vertx.core.buffer.Buffer.buffer().appendInt(1 << 30).appendBytes(new byte[1000]));
    closed.future().await(10, TimeUnit.SECONDS);
  }

  private static Promise<Void> closeOf(TcpBridgeClient bridge) {
    Promise<Void> closed = Promise.promise();
    bridge.socket().closeHandler(v -> closed.tryComplete());
    return closed;
  }

  private static JsonObject next(TcpBridgeClient bridge) throws InterruptedException {
    JsonObject frame = bridge.frames().poll(10, TimeUnit.SECONDS);
    assertNotNull(frame, "a frame within 10 s");
    return frame;
  }

  private String token(String secret, String nick) {
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return issuer.generateToken(new JsonObject().put("nick", nick).put("exp", System.currentTimeMillis() / 1000 + 60),
        new JWTOptions().setAlgorithm("HS256"));
  }
}
