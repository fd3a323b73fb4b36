package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.StuckClient;
import io.parley.support.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One test per error code and close code of docs/PROTOCOL.md, each named after its code. Every refused
 * frame leaves the connection open and publishes nothing: the room's next id is still the expected one.
 */
class WebSocketErrorsTest extends ParleyServerTest {

  private static final int MAX_FRAME = 4096;
  private static final int MAX_TEXT = 100;

  private TestClient alice;
  private TestClient bob;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.WS_MAX_FRAME_SIZE.name(), MAX_FRAME).put(Settings.MAX_TEXT_LENGTH.name(), MAX_TEXT);
  }

  @BeforeEach
  void twoMembers() {
    alice = user("alice");
    bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    assertEquals(1L, alice.say("general", "before").getLong("id"));
    bob.expect("message");
  }

  /** Checks the refused frame published nothing and the connection still works: the next id is 2. */
  private void roomUnaffected() {
    assertEquals(2L, alice.say("general", "after").getLong("id"));
    JsonObject seenByBob = bob.expect("message");
    assertEquals(2L, seenByBob.getLong("id"));
    assertEquals("after", seenByBob.getString("text"));
  }

  private void refused(String code, JsonObject frame) {
    alice.send(frame);
    alice.expectError(code);
    roomUnaffected();
  }

  private static JsonObject send(Object text) {
    return new JsonObject().put("type", "send").put("room", "general").put("text", text);
  }

  @Test
  void invalid_json() {
    alice.sendRaw("{\"type\":\"send\",\"room\":\"general\",\"text\":");
    JsonObject error = alice.expectError("invalid_json");
    assertEquals("a frame must be one JSON object", error.getString("message"));
    alice.sendRaw("[1,2,3]");
    alice.expectError("invalid_json");
    roomUnaffected();
  }

  @Test
  void binary_not_supported() {
    alice.sendBinary(Buffer.buffer(send("binary").encode()));
    alice.expectError("binary_not_supported");
    roomUnaffected();
  }

  @Test
  void unknown_type() {
    refused("unknown_type", new JsonObject().put("type", "shout").put("room", "general").put("text", "x"));
  }

  @Test
  void missing_field() {
    refused("missing_field", new JsonObject().put("type", "send").put("room", "general"));
    alice.send(new JsonObject().put("room", "general").put("text", "no type"));
    alice.expectError("missing_field");
  }

  @Test
  void wrong_type() {
    refused("wrong_type", send(42));
    alice.send(new JsonObject().put("type", "join").put("room", "general").put("since", "41"));
    alice.expectError("wrong_type");
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("before", 1.5));
    alice.expectError("wrong_type");
  }

  @Test
  void invalid_value() {
    refused("invalid_value", send("x").put("cid", "c".repeat(65)));
    alice.send(new JsonObject().put("type", "join").put("room", "general").put("since", -1));
    alice.expectError("invalid_value");
    alice.send(new JsonObject().put("type", "history").put("room", "general").put("limit", 0));
    alice.expectError("invalid_value");
  }

  @Test
  void invalid_nick() {
    TestClient client = anonymous();
    for (String nick : new String[] {"", "has space", "x".repeat(33), "<b>", "émile"}) {
      client.send(new JsonObject().put("type", "hello").put("nick", nick));
      client.expectError("invalid_nick");
    }
    client.send(new JsonObject().put("type", "hello").put("nick", "valid_nick-1"));
    client.expect("welcome");
  }

  @Test
  void invalid_room() {
    refused("invalid_room", send("x").put("room", "no/slash"));
    alice.send(new JsonObject().put("type", "join").put("room", "r".repeat(65)));
    alice.expectError("invalid_room");
    alice.send(new JsonObject().put("type", "join").put("room", ""));
    alice.expectError("invalid_room");
  }

  @Test
  void empty_text() {
    alice.send(send("  \n "));
    alice.expectError("empty_text");
    refused("empty_text", send(""));
  }

  @Test
  void text_too_long() {
    refused("text_too_long", send("x".repeat(MAX_TEXT + 1)));
    // The limit counts characters, not UTF-16 units: 100 emoji (200 units) fit.
    assertEquals(3L, alice.say("general", "😀".repeat(MAX_TEXT)).getLong("id"));
  }

  @Test
  void hello_required() {
    TestClient stranger = anonymous();
    stranger.send(send("who am I").put("ref", "s1"));
    JsonObject error = stranger.expectError("hello_required");
    assertEquals("s1", error.getString("ref"));
    stranger.send(new JsonObject().put("type", "join").put("room", "general"));
    stranger.expectError("hello_required");
    roomUnaffected();
  }

  @Test
  void already_identified() {
    refused("already_identified", new JsonObject().put("type", "hello").put("nick", "alice2"));
  }

  @Test
  void nick_taken() {
    TestClient impostor = anonymous();
    impostor.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    impostor.expectError("nick_taken");
    impostor.send(new JsonObject().put("type", "hello").put("nick", "not_alice"));
    impostor.expect("welcome");
    roomUnaffected();
  }

  @Test
  void not_joined() {
    refused("not_joined", send("x").put("room", "elsewhere"));
    alice.send(new JsonObject().put("type", "typing").put("room", "elsewhere"));
    alice.expectError("not_joined");
    alice.send(new JsonObject().put("type", "leave").put("room", "elsewhere"));
    alice.expectError("not_joined");
  }

  @Test
  void close_1009_frame_too_large() {
    TestClient mallory = user("mallory");
    mallory.join("general");
    alice.expect("presence");
    bob.expect("presence");
    mallory.sendRaw(send("y".repeat(MAX_FRAME)).encode());
    assertEquals(1009, mallory.awaitClose());
    alice.expect("presence");
    bob.expect("presence");
    // Nothing from the oversized frame reached the room, and everyone else is still served.
    roomUnaffected();
  }

  /** Binary frames are refused with an error frame, but one over the limit closes like text: size comes first. */
  @Test
  void close_1009_binary_frame_too_large() {
    TestClient mallory = user("mallory");
    mallory.sendBinary(io.vertx.core.buffer.Buffer.buffer("b".repeat(MAX_FRAME + 1)));
    assertEquals(1009, mallory.awaitClose());
    roomUnaffected();
  }

  @Test
  void close_1009_multibyte_text_over_the_byte_limit() {
    TestClient mallory = user("mallory");
    // 1400 characters of 3 bytes each: under the limit in characters, over it in bytes.
    mallory.sendRaw(send("€".repeat(1400)).encode());
    assertEquals(1009, mallory.awaitClose());
    roomUnaffected();
  }

  /**
   * A frame whose header alone says it is far over the limit (over twice {@code WS_MAX_FRAME_SIZE}, where the
   * decoder stops reading) still gets its close frame with 1009 before the connection ends.
   */
  @Test
  void close_1009_frame_header_far_over_the_limit() throws Exception {
    try (StuckClient mallory = StuckClient.connect(node.httpPort(), "{\"type\":\"hello\",\"nick\":\"mallory\"}")) {
      mallory.sendFrameHeader(1 << 20, 1000);
      assertEquals(1009, mallory.readCloseCode(), "a close frame with 1009, not a bare FIN");
    }
    roomUnaffected();
  }

  @Test
  void close_1009_fragmented_message_too_large() {
    TestClient mallory = user("mallory");
    String big = send("z".repeat(MAX_FRAME * 3)).encode();
    // Frames under the limit that add up to a message over it.
    io.vertx.core.http.WebSocketFrame first = io.vertx.core.http.WebSocketFrame.textFrame(big.substring(0, 2000), false);
    mallory.sendFrames(first, big.substring(2000));
    assertEquals(1009, mallory.awaitClose());
    roomUnaffected();
  }

  @Test
  void close_1012_service_restart() {
    node.close().await();
    assertEquals(1012, alice.awaitClose());
    assertEquals(1012, bob.awaitClose());
  }
}
