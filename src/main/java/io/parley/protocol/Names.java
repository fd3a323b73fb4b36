package io.parley.protocol;

import java.util.regex.Pattern;

/** The shapes of nicks and room names, checked at every entry point (WebSocket frames and the chat service). */
public final class Names {

  private static final Pattern NICK = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private Names() {
  }

  public static boolean isNick(String nick) {
    return nick != null && NICK.matcher(nick).matches();
  }

  public static boolean isRoom(String room) {
    return room != null && ROOM.matcher(room).matches();
  }

  public static String requireNick(String nick) {
    if (!isNick(nick)) {
      throw new ProtocolException(ErrorCode.INVALID_NICK, "nick must match [A-Za-z0-9_-]{1,32}");
    }
    return nick;
  }

  public static String requireRoom(String room) {
    if (!isRoom(room)) {
      throw new ProtocolException(ErrorCode.INVALID_ROOM, "room must match [A-Za-z0-9_-]{1,64}");
    }
    return room;
  }
}
