package io.parley.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameParser;
import io.parley.protocol.ProtocolException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The frame parser on arbitrary input: it returns a frame or refuses with an error code; it never throws anything
 * else. jqwik prints the number of tries of each property in the test output.
 */
class FrameParserProperties {

  private final FrameParser parser = new FrameParser(4096, 100, 100, 100);

  @Property(tries = 5_000)
  void fuzz_any_frame_parses_or_is_refused_with_a_code(@ForAll("frames") String frame) {
    try {
      ClientFrame parsed = parser.parse(frame);
      assertNotNull(parsed.getClass());
    } catch (ProtocolException refused) {
      assertNotNull(refused.code());
      assertNotNull(refused.getMessage());
    }
  }

  @Property(tries = 5_000)
  void fuzz_request_fields_parse_or_are_refused_with_a_code(@ForAll("objects") String fields) {
    // The chat service checks every transport's requests (the bridge's bodies) with parseFields.
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(fields);
    for (String type : new String[] {"hello", "join", "leave", "send", "typing", "rooms", "history"}) {
      try {
        assertNotNull(parser.parseFields(type, json, ClientFrame.class));
        FrameParser.optionalNick(json);
      } catch (ProtocolException refused) {
        assertNotNull(refused.code());
      }
    }
  }

  @Provide
  Arbitrary<String> frames() {
    return FrameArbitraries.anyFrame();
  }

  @Provide
  Arbitrary<String> objects() {
    return FrameArbitraries.protocolObject();
  }
}
