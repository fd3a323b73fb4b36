package io.parley.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A room event crosses the wire as its frame's UTF-8 text and stays itself on its own node. */
class RoomEventCodecTest {

  private final RoomEventCodec codec = new RoomEventCodec();

  private static RoomEvent message() {
    return RoomEvent.of(new JsonObject().put("type", "message").put("room", "général-free".replace("é", "e"))
        .put("id", 42L).put("from", "alice").put("text", "naïve café \uD83D\uDE00 \"quoted\" \\ </script>")
        .put("ts", 1_765_000_000_000L));
  }

  @Test
  void anEventComesBackWithItsFieldsAndItsBytes() {
    RoomEvent sent = message();
    Buffer wire = Buffer.buffer().appendString("what came before"); // a message's other fields come first
    int pos = wire.length();
    codec.encodeToWire(wire, sent);
    wire.appendString("after");

    RoomEvent received = codec.decodeFromWire(pos, wire);

    assertEquals(sent.room(), received.room());
    assertEquals("message", received.type());
    assertEquals(42L, received.id());
    assertEquals("alice", received.nick());
    assertEquals(sent.frame(), received.frame());
    assertArrayEquals(sent.utf8(), received.utf8());
    assertEquals(sent.json(), received.json());
    assertEquals(sent.frame(), new JsonObject(new String(received.utf8(), StandardCharsets.UTF_8)));
  }

  @Test
  void aPresenceKeepsItsVersionAcrossTheWire() {
    RoomEvent sent = RoomEvent.of(new JsonObject().put("type", "presence").put("room", "general").put("nick", "bob")
        .put("event", "join").put("version", 7L).put("count", 3));
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, sent);

    RoomEvent received = codec.decodeFromWire(0, wire);

    assertEquals(7L, received.version());
    assertEquals(0L, received.id());
    assertEquals("bob", received.nick());
    assertEquals(true, received.isMembership());
  }

  /** The bytes of a live event are those of the same frame in a reply or in history: the String's UTF-8. */
  @Test
  void anEmojiIsFourBytesAndALoneSurrogateAQuestionMarkAsInReplies() {
    JsonObject frame = new JsonObject().put("type", "message").put("room", "general").put("id", 1L)
        .put("from", "alice").put("text", "\uD83D\uDE00 and a lone \uD800");
    byte[] utf8 = RoomEvent.of(frame).utf8();
    assertArrayEquals(frame.encode().getBytes(StandardCharsets.UTF_8), utf8);
    String text = new String(utf8, StandardCharsets.UTF_8);
    assertEquals(true, text.contains("\uD83D\uDE00 and a lone ?"), text);

    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, RoomEvent.of(frame));
    assertArrayEquals(utf8, codec.decodeFromWire(0, wire).utf8());
  }

  @Test
  void onItsOwnNodeTheConsumerGetsTheSameEvent() {
    RoomEvent sent = message();
    assertSame(sent, codec.transform(sent));
  }
}
