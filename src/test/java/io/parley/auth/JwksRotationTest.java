package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With JWKS_URL, tokens are verified with the keys of the key set served there (here by a small Vert.x HTTP server of
 * the test's, on port 0): fetched at start, again when a token names a kid the set lacks (at most once per 10 s), so
 * a rotated key works without a restart and a retired one stops working.
 */
class JwksRotationTest extends ParleyServerTest {

  private static final KeyPair KEY_1 = rsaKeyPair();
  private static final KeyPair KEY_2 = rsaKeyPair();
  private static final KeyPair UNPUBLISHED = rsaKeyPair();

  private HttpServer jwksServer;
  /** What the key set's URL answers; null: 503. */
  private final AtomicReference<JsonObject> served = new AtomicReference<>(jwks(jwk("key-1", KEY_1)));
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicBoolean down = new AtomicBoolean();

  /** Starts the key-set server (before the node: {@code overrides()} is read when the node starts). */
  @Override
  protected JsonObject overrides() {
    if (jwksServer == null) {
      jwksServer = vertx.createHttpServer().requestHandler(request -> {
        fetches.incrementAndGet();
        JsonObject keys = served.get();
        if (down.get() || keys == null) {
          request.response().setStatusCode(503).end();
        } else {
          request.response().putHeader("content-type", "application/json").end(keys.encode());
        }
      }).listen(0, "127.0.0.1").await();
    }
    return new JsonObject().put(Settings.JWKS_URL.name(), jwksUrl()).put(Settings.JWKS_REFRESH_S.name(), 3600);
  }

  @AfterEach
  void stopJwksServer() {
    jwksServer.close().await();
  }

  private String jwksUrl() {
    return "http://127.0.0.1:" + jwksServer.actualPort() + "/.well-known/jwks.json";
  }

  @Test
  void a_token_signed_with_a_key_of_the_jwks_is_accepted() {
    assertEquals(1, fetches.get(), "fetched once at start");
    accepted(hello(node.httpPort(), token("key-1", KEY_1, "alice")), "alice");
    assertEquals("invalid_token", hello(node.httpPort(), token("key-1", UNPUBLISHED, "mallory")).getString("code"),
        "a known kid with a signature of another key");
    assertEquals("invalid_token", hello(node.httpPort(), unsigned("mallory")).getString("code"), "alg none");
    assertEquals(1, fetches.get(), "known kids fetch nothing");
  }

  @Test
  void a_rotated_key_is_accepted_without_restart_and_the_retired_one_refused() {
    accepted(hello(node.httpPort(), token("key-1", KEY_1, "alice")), "alice");
    served.set(jwks(jwk("key-2", KEY_2))); // the identity provider rotates: key 2 only
    accepted(hello(node.httpPort(), token("key-2", KEY_2, "bob")), "bob");
    assertEquals(2, fetches.get(), "the unknown kid 'key-2' fetched the key set again");
    JsonObject retired = hello(node.httpPort(), token("key-1", KEY_1, "carol"));
    assertEquals("invalid_token", retired.getString("code"), retired::encode);
    assertEquals(2, fetches.get(), "within 10 s of the last, the unknown kid 'key-1' fetches nothing");
  }

  @Test
  void unknown_kids_fetch_the_jwks_at_most_once_per_10_s() {
    for (int i = 0; i < 5; i++) {
      JsonObject answer = hello(node.httpPort(), token("forged-" + i, UNPUBLISHED, "mallory"));
      assertEquals("invalid_token", answer.getString("code"), answer::encode);
    }
    assertEquals(2, fetches.get(), "the start's fetch and one for the unknown kids");
  }

  @Test
  void a_node_whose_jwks_is_down_at_start_starts_and_refuses_every_token() {
    down.set(true);
    Vertx own = Vertx.vertx(); // a node of its own: nodes on one Vertx would share the chat service's addresses
    ParleyNode blind = ParleyNode.deploy(own, testConfig(overrides())).await();
    try {
      JsonObject answer = hello(blind.httpPort(), token("key-1", KEY_1, "alice"));
      assertEquals("invalid_token", answer.getString("code"), answer::encode);
      assertTrue(answer.getString("message").contains("signing keys"), answer::encode);
      assertEquals("invalid_token", hello(blind.httpPort(), unsigned("mallory")).getString("code"),
          "holding no key, it still refuses an unsigned token");
      JsonObject noToken = hello(blind.httpPort(), null);
      assertEquals("auth_required", noToken.getString("code"), "JWKS_URL alone turns authentication on");
    } finally {
      blind.close().eventually(own::close).await();
    }
  }

  @Test
  void a_node_that_started_without_its_jwks_accepts_tokens_once_it_is_back() {
    down.set(true);
    Vertx own = Vertx.vertx(); // a node of its own: nodes on one Vertx would share the chat service's addresses
    ParleyNode late = ParleyNode.deploy(own, testConfig(overrides())).await();
    try {
      down.set(false);
      accepted(hello(late.httpPort(), token("key-1", KEY_1, "dave")), "dave");
    } finally {
      late.close().eventually(own::close).await();
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  private JsonObject hello(int port, String token) {
    TestClient client = TestClient.connect(vertx, port);
    try {
      JsonObject hello = new JsonObject().put("type", "hello");
      if (token != null) {
        hello.put("token", token);
      } else {
        hello.put("nick", "someone");
      }
      return client.send(hello).next();
    } finally {
      client.close();
    }
  }

  private static void accepted(JsonObject answer, String nick) {
    assertEquals("welcome", answer.getString("type"), answer::encode);
    assertEquals(nick, answer.getString("nick"));
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A big integer's magnitude, big-endian, without the sign byte (RFC 7518, 6.3.1). */
  private static String base64UrlUnsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return base64Url(bytes);
  }

  private static JsonObject jwk(String kid, KeyPair pair) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", base64UrlUnsigned(key.getModulus())).put("e", base64UrlUnsigned(key.getPublicExponent()));
  }

  private static JsonObject jwks(JsonObject... keys) {
    JsonArray array = new JsonArray();
    for (JsonObject key : keys) {
      array.add(key);
    }
    return new JsonObject().put("keys", array);
  }

  /** An RS256 JWT for {@code nick}, kid {@code kid}, signed with {@code pair}'s private key, for a minute. */
  private static String token(String kid, KeyPair pair, String nick) {
    long now = System.currentTimeMillis() / 1000;
    String header = base64Url(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid).encode()
        .getBytes(StandardCharsets.UTF_8));
    String payload = base64Url(new JsonObject().put("nick", nick).put("iat", now).put("exp", now + 60).encode()
        .getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(pair.getPrivate());
      rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + "." + payload + "." + base64Url(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg} none) for {@code nick}. */
  private static String unsigned(String nick) {
    long now = System.currentTimeMillis() / 1000;
    return base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + base64Url(new JsonObject().put("nick", nick).put("exp", now + 60).encode().getBytes(StandardCharsets.UTF_8))
        + ".";
  }
}
