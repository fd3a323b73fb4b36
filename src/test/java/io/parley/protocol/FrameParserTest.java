package io.parley.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The frame parser on its own: shapes accepted, and the error code for each kind of bad input. */
class FrameParserTest {

  private final FrameParser parser = new FrameParser(10, 50, 20, 30);

  private ErrorCode refusal(String text) {
    return assertThrows(ProtocolException.class, () -> parser.parse(text)).code();
  }

  @Test
  void parses_every_frame_type() {
    assertEquals(new ClientFrame.Hello(null, "alice", null), parser.parse("{\"type\":\"hello\",\"nick\":\"alice\"}"));
    assertEquals(new ClientFrame.Join("r", "general", 41L, "e1"),
        parser.parse("{\"type\":\"join\",\"room\":\"general\",\"since\":41,\"epoch\":\"e1\",\"ref\":\"r\"}"));
    assertEquals(new ClientFrame.Join(null, "general", null, null), parser.parse("{\"type\":\"join\",\"room\":\"general\"}"));
    assertEquals(new ClientFrame.Leave(null, "general"), parser.parse("{\"type\":\"leave\",\"room\":\"general\"}"));
    assertEquals(new ClientFrame.Send(null, "general", "hi", "c1"),
        parser.parse("{\"type\":\"send\",\"room\":\"general\",\"text\":\"hi\",\"cid\":\"c1\"}"));
    assertEquals(new ClientFrame.Typing(null, "general"), parser.parse("{\"type\":\"typing\",\"room\":\"general\"}"));
    assertEquals(new ClientFrame.Rooms(null, null, 20), parser.parse("{\"type\":\"rooms\"}"));
    assertEquals(new ClientFrame.Rooms("r", "b", 5), parser.parse("{\"type\":\"rooms\",\"ref\":\"r\",\"after\":\"b\",\"limit\":5}"));
    assertEquals(new ClientFrame.History(null, "general", 9L, 3),
        parser.parse("{\"type\":\"history\",\"room\":\"general\",\"before\":9,\"limit\":3}"));
  }

  @Test
  void history_limit_defaults_to_and_is_capped_at_the_page_maximum() {
    assertEquals(50, ((ClientFrame.History) parser.parse("{\"type\":\"history\",\"room\":\"g\"}")).limit());
    assertEquals(50, ((ClientFrame.History) parser.parse("{\"type\":\"history\",\"room\":\"g\",\"limit\":900}")).limit());
  }

  @Test
  void members_pages_are_capped_at_the_page_size_and_start_after_a_nick() {
    ClientFrame.Members page = (ClientFrame.Members) parser.parse(
        "{\"type\":\"members\",\"room\":\"g\",\"after\":\"bob\",\"limit\":900}");
    assertEquals(new ClientFrame.Members(null, "g", "bob", 30), page);
    assertEquals(30, ((ClientFrame.Members) parser.parse("{\"type\":\"members\",\"room\":\"g\"}")).limit());
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":\"members\",\"room\":\"g\",\"after\":3}"));
    assertEquals(ErrorCode.INVALID_NICK, refusal("{\"type\":\"members\",\"room\":\"g\",\"after\":\"a b\"}"));
  }

  @Test
  void whole_numbers_written_as_floats_are_accepted() {
    assertEquals(41L, ((ClientFrame.Join) parser.parse("{\"type\":\"join\",\"room\":\"g\",\"since\":41.0}")).since());
  }

  @Test
  void error_codes() {
    assertEquals(ErrorCode.INVALID_JSON, refusal("not json"));
    assertEquals(ErrorCode.INVALID_JSON, refusal("\"a string\""));
    assertEquals(ErrorCode.INVALID_JSON, refusal("null"));
    assertEquals(ErrorCode.INVALID_JSON, refusal(""));
    assertEquals(ErrorCode.MISSING_FIELD, refusal("{}"));
    assertEquals(ErrorCode.MISSING_FIELD, refusal("{\"type\":null}"));
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":7}"));
    assertEquals(ErrorCode.UNKNOWN_TYPE, refusal("{\"type\":\"HELLO\",\"nick\":\"a\"}"));
    assertEquals(ErrorCode.INVALID_NICK, refusal("{\"type\":\"hello\",\"nick\":\"a b\"}"));
    assertEquals(ErrorCode.INVALID_ROOM, refusal("{\"type\":\"join\",\"room\":\"a.b\"}"));
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":\"join\",\"room\":\"g\",\"since\":true}"));
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":\"join\",\"room\":\"g\",\"since\":1e300}"));
    assertEquals(ErrorCode.INVALID_VALUE, refusal("{\"type\":\"join\",\"room\":\"g\",\"since\":-1}"));
    assertEquals(ErrorCode.INVALID_VALUE, refusal("{\"type\":\"history\",\"room\":\"g\",\"before\":0}"));
    assertEquals(ErrorCode.EMPTY_TEXT, refusal("{\"type\":\"send\",\"room\":\"g\",\"text\":\" \"}"));
    assertEquals(ErrorCode.TEXT_TOO_LONG, refusal("{\"type\":\"send\",\"room\":\"g\",\"text\":\"12345678901\"}"));
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":\"send\",\"room\":\"g\",\"text\":[\"a\"]}"));
    assertEquals(ErrorCode.INVALID_VALUE, refusal("{\"type\":\"send\",\"room\":\"g\",\"text\":\"a\",\"cid\":\"\"}"));
    assertEquals(ErrorCode.WRONG_TYPE, refusal("{\"type\":\"rooms\",\"ref\":5}"));
  }

  @Test
  void error_echoes_a_valid_ref_only() {
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> parser.parse("{\"type\":\"nope\",\"ref\":\"abc\"}"));
    assertEquals("abc", e.ref());
    ProtocolException bad = assertThrows(ProtocolException.class, () -> parser.parse("{\"type\":\"nope\",\"ref\":1}"));
    assertNull(bad.ref());
  }

  @Test
  void text_limit_counts_code_points() {
    String tenEmoji = "😀".repeat(10);
    assertEquals(tenEmoji, parser.checkText(tenEmoji));
    assertEquals(ErrorCode.TEXT_TOO_LONG,
        assertThrows(ProtocolException.class, () -> parser.checkText(tenEmoji + "x")).code());
  }
}
