package io.parley.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Frames for fuzzing: arbitrary text, JSON-looking text, and JSON objects made of the protocol's own field names
 * and frame types with values of every JSON type, valid and not, so that most of them get deep into the parser
 * and the server.
 */
final class FrameArbitraries {

  private static final String[] FIELDS = {"type", "nick", "room", "text", "since", "before", "limit", "cid", "ref",
      "epoch", "conn", "id", "from"};
  private static final String[] TYPES = {"hello", "join", "leave", "send", "typing", "rooms", "history", "welcome",
      "message", "", "HELLO", "join "};

  private FrameArbitraries() {
  }

  /** Any text: unicode soup, JSON punctuation soup, JSON of the wrong shape, and protocol-shaped objects. */
  static Arbitrary<String> anyFrame() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(300)),
        net.jqwik.api.Tuple.of(2, Arbitraries.strings().withChars("{}[]\":,.0123456789eE+-truefalsn \\u").ofMaxLength(120)),
        net.jqwik.api.Tuple.of(1, jsonValue(2).map(value -> value == null ? "null" : new JsonArray().add(value).encode())),
        net.jqwik.api.Tuple.of(8, protocolObject()));
  }

  /** A JSON object of up to eight protocol fields (and now and then a random one) with arbitrary values. */
  static Arbitrary<String> protocolObject() {
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.of(FIELDS),
        Arbitraries.strings().ofMaxLength(8));
    return Arbitraries.maps(keys, jsonValue(2)).ofMaxSize(8).map(fields -> {
      JsonObject frame = new JsonObject();
      fields.forEach(frame::put);
      return frame.encode();
    });
  }

  /** Strings that are names, types, long, empty or odd; numbers of every kind; booleans; null; arrays; objects. */
  static Arbitrary<Object> jsonValue(int depth) {
    Arbitrary<Object> scalar = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.of(TYPES).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(4, Arbitraries.of("general", "alice", "bob", "x", "a b", "<b>hi</b>", "\u0000", " ", "🙂")
            .map(Object.class::cast)),
        net.jqwik.api.Tuple.of(3, Arbitraries.strings().ofMaxLength(80).map(Object.class::cast)),
        // Text around MAX_TEXT_LENGTH (4096): rare, since long strings are slow to make.
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(4090).ofMaxLength(4100)
            .map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.longs().map(Object.class::cast)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(-3, 200).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.doubles().map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(true, false).map(Object.class::cast)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just((Object) null)));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Object> nested = Arbitraries.oneOf(
        jsonValue(depth - 1).list().ofMaxSize(3).map(list -> (Object) new JsonArray(list)),
        Arbitraries.maps(Arbitraries.of(FIELDS), jsonValue(depth - 1)).ofMaxSize(3)
            .map(map -> (Object) new JsonObject((Map<String, Object>) (Map<String, ?>) map)));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalar), net.jqwik.api.Tuple.of(1, nested));
  }
}
