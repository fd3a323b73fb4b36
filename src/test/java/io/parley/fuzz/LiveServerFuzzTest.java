package io.parley.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.parley.config.Settings;
import io.parley.protocol.ErrorCode;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Random and malformed frames (jqwik's generators, {@link FrameArbitraries}) thrown at a live server over a real
 * WebSocket, by a client that said hello and joined the room, while two well-behaved members chat in it. Every
 * frame is answered with a frame of the protocol or a documented close (1009 for the oversized), nothing is
 * logged as an error, and the members get every message, in id order.
 */
class LiveServerFuzzTest extends ParleyServerTest {

  private static final int FRAMES = 3000;
  private static final Set<String> SERVER_FRAMES = Set.of("welcome", "joined", "left", "message", "presence",
      "typing", "rooms", "history", "error");
  private static final Set<String> ERROR_CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::code)
      .collect(Collectors.toSet());

  private final ListAppender<ILoggingEvent> errors = new ListAppender<>();

  @Override
  protected JsonObject overrides() {
    // The fuzzer sends as fast as it can: the rate limit would answer most of it without looking.
    return new JsonObject().put(Settings.RATE_LIMIT_PER_S.name(), 1_000_000).put(Settings.RATE_LIMIT_BURST.name(), 1_000_000)
        .put(Settings.WS_MAX_FRAME_SIZE.name(), 8192);
  }

  @BeforeEach
  void watchTheLog() {
    errors.start();
    ((Logger) LoggerFactory.getLogger("io.parley")).addAppender(errors);
  }

  @AfterEach
  void stopWatching() {
    ((Logger) LoggerFactory.getLogger("io.parley")).detachAppender(errors);
  }

  private TestClient fuzzer() {
    TestClient fuzzer = user("fuzzer" + System.nanoTime() % 100_000);
    fuzzer.join("general");
    return fuzzer;
  }

  @Test
  void fuzz_live_server_answers_every_frame_and_members_are_unaffected() {
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    TestClient fuzzer = fuzzer();

    // Mostly protocol-shaped frames, some binary, some over WS_MAX_FRAME_SIZE.
    Arbitrary<String> frames = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(40, FrameArbitraries.anyFrame()),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(9000).ofMaxLength(9100)));
    Iterator<String> generated = frames.sampleStream().limit(FRAMES).iterator();
    int sent = 0;
    int closes = 0;
    int aliceSaid = 0;
    while (generated.hasNext()) {
      String frame = generated.next();
      if (sent % 97 == 0) {
        fuzzer.sendBinary(Buffer.buffer(frame));
      } else {
        fuzzer.sendRaw(frame);
      }
      sent++;
      int bytes = frame.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > 8192) {
        short code = fuzzer.awaitClose();
        // PROTOCOL.md: over WS_MAX_FRAME_SIZE, 1009; over twice that, the transport cuts the frame off at its
        // header, and a client still writing it may see the connection reset (1006) instead.
        assertTrue(code == 1009 || (bytes > 2 * 8192 && code == 1006), "closed with " + code + " for " + bytes + " bytes");
        closes++;
        fuzzer = fuzzer();
      }
      if (sent % 100 == 0) {
        checkAnswers(fuzzer);
        alice.send(new JsonObject().put("type", "send").put("room", "general").put("text", "steady " + aliceSaid++));
      }
    }
    checkAnswers(fuzzer);

    // The members got all of alice's messages, in id order, among whatever the fuzzer managed to post.
    long lastId = 0;
    int aliceSeen = 0;
    while (aliceSeen < aliceSaid) {
      JsonObject frame = bob.next();
      if ("message".equals(frame.getString("type"))) {
        assertEquals(lastId + 1, frame.getLong("id"), "ids in order, without gaps");
        lastId = frame.getLong("id");
        if ("alice".equals(frame.getString("from"))) {
          assertEquals("steady " + aliceSeen++, frame.getString("text"));
        }
      }
    }
    List<String> logged = errors.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of(), logged, "nothing the fuzzer sent was an error on the server");
    LoggerFactory.getLogger(LiveServerFuzzTest.class).info("fuzzed a live server with {} frames ({} binary, {} closed as"
        + " oversized); members received all {} of alice's messages in order", sent, (sent + 96) / 97, closes, aliceSaid);
  }

  /** Asks for a barrier and checks everything the fuzzer received before it is a protocol frame. */
  private static void checkAnswers(TestClient fuzzer) {
    fuzzer.send(new JsonObject().put("type", "rooms").put("ref", "barrier"));
    while (true) {
      JsonObject frame = fuzzer.next();
      String type = frame.getString("type");
      assertTrue(SERVER_FRAMES.contains(type), () -> "not a protocol frame: " + frame.encode());
      if ("error".equals(type)) {
        assertTrue(ERROR_CODES.contains(frame.getString("code")), () -> "undocumented code: " + frame.encode());
      }
      if ("rooms".equals(type) && "barrier".equals(frame.getString("ref"))) {
        return;
      }
    }
  }
}
