package io.parley.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written checks of {@link Names} give the answers of the regexes that docs/PROTOCOL.md publishes. */
class NamesTest {

  private static final Pattern NICK = Pattern.compile(Names.NICK_REGEX);
  private static final Pattern ROOM = Pattern.compile(Names.ROOM_REGEX);

  @Test
  void edgeCasesAnswerAsTheRegexes() {
    List<String> cases = new ArrayList<>(List.of("", "a", "A", "z", "Z", "0", "9", "_", "-", "general", "dm-0f",
        "with space", "é", "a\u0000", "a\n", "a.b", "a/b", "`", "[", "{", "@", ":", "/", "x".repeat(32),
        "x".repeat(33), "x".repeat(64), "x".repeat(65), "\uD83D\uDE00"));
    for (String name : cases) {
      assertSame(name);
    }
  }

  @Test
  void randomNamesAnswerAsTheRegexes() {
    Random random = new Random(18);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder name = new StringBuilder();
      int length = random.nextInt(70);
      boolean wellFormed = random.nextBoolean(); // then at most one character outside the alphabet
      for (int i = 0; i < length; i++) {
        name.append(wellFormed ? ALPHABET.charAt(random.nextInt(ALPHABET.length())) : anyChar(random));
      }
      if (wellFormed && length > 0 && random.nextInt(3) == 0) {
        name.setCharAt(random.nextInt(length), anyChar(random));
      }
      assertSame(name.toString());
    }
  }

  @Test
  void nullIsNeither() {
    assertEquals(false, Names.isNick(null));
    assertEquals(false, Names.isRoom(null));
  }

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

  /** Mostly ASCII, around the allowed ranges' edges; now and then beyond it. */
  private static char anyChar(Random random) {
    return (char) (random.nextInt(10) == 0 ? random.nextInt(0x3000) : random.nextInt(128));
  }

  private static void assertSame(String name) {
    assertEquals(NICK.matcher(name).matches(), Names.isNick(name), () -> "nick " + name);
    assertEquals(ROOM.matcher(name).matches(), Names.isRoom(name), () -> "room " + name);
  }
}
