package io.parley.protocol;

/** The shapes of nicks and room names, checked at every entry point (WebSocket frames and the chat service). */
public final class Names {

  /** A nick: what {@code hello} (or a bridge {@code chat.join}) may claim. */
  public static final String NICK_REGEX = "[A-Za-z0-9_-]{1,32}";
  /** A room name; also the tail of the room addresses the bridge lets clients register. */
  public static final String ROOM_REGEX = "[A-Za-z0-9_-]{1,64}";

  private Names() {
  }

  public static boolean isNick(String nick) {
    return isName(nick, 32);
  }

  public static boolean isRoom(String room) {
    return isName(room, 64);
  }

  /**
   * {@code [A-Za-z0-9_-]{1,max}}, the shape of both regexes above, checked by hand: every frame names a room, and a
   * regex matcher per check was 2.8% of what a message allocates (JFR, scenario b). NamesTest holds the two to the
   * same answers.
   */
  private static boolean isName(String name, int max) {
    if (name == null || name.isEmpty() || name.length() > max) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Room names starting so are direct conversations', named by {@link #directRoom}; no join creates one by name. */
  public static final String DIRECT_PREFIX = "dm-";

  /**
   * The room of the direct conversation of two users: the same whichever of them opens it, {@code dm-} and the
   * first 32 hex digits of SHA-256 over the two nicks in order (a nick may hold '-': joining them plainly could
   * name two pairs alike).
   */
  public static String directRoom(String a, String b) {
    String first = a.compareTo(b) <= 0 ? a : b;
    String second = first.equals(a) ? b : a;
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest((first + " " + second).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return DIRECT_PREFIX + java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String requireNick(String nick) {
    if (!isNick(nick)) {
      throw new ProtocolException(ErrorCode.INVALID_NICK, "nick must match " + NICK_REGEX);
    }
    return nick;
  }

  public static String requireRoom(String room) {
    if (!isRoom(room)) {
      throw new ProtocolException(ErrorCode.INVALID_ROOM, "room must match " + ROOM_REGEX);
    }
    return room;
  }
}
