package io.parley.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Turns one client text frame into a {@link ClientFrame}, or throws a {@link ProtocolException} naming
 * what is wrong. Pure and thread-safe: no I/O, no state.
 */
public final class FrameParser {

  /** Longest {@code ref} and {@code cid}. */
  public static final int MAX_TOKEN_LENGTH = 64;
  /** Longest JWT in {@code token}. */
  public static final int MAX_JWT_LENGTH = 8192;

  private final int maxTextLength;
  private final int historyPageMax;
  private final int roomsPageMax;
  private final int membersPageMax;

  public FrameParser(int maxTextLength, int historyPageMax, int roomsPageMax, int membersPageMax) {
    this.membersPageMax = membersPageMax;
    this.maxTextLength = maxTextLength;
    this.historyPageMax = historyPageMax;
    this.roomsPageMax = roomsPageMax;
  }

  public ClientFrame parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "a frame must be one JSON object");
    }
    String ref = optionalToken(json, "ref");
    try {
      return parse(requiredString(json, "type"), json, ref);
    } catch (ProtocolException e) {
      throw e.withRef(ref);
    }
  }

  /**
   * Checks the fields of a chat-service request by the rules of the frame {@code type}, so that every transport
   * (a {@code /ws} session, a bridge client's body) is held to the same rules. Extra fields are ignored.
   */
  public <T extends ClientFrame> T parseFields(String type, JsonObject fields, Class<T> frame) {
    return frame.cast(parse(type, fields, null));
  }

  /** The {@code nick} a request names, checked, or null when it names none (the bridge's requests may). */
  public static String optionalNick(JsonObject json) {
    Object value = json.getValue("nick");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String nick)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field 'nick' must be a string");
    }
    return Names.requireNick(nick);
  }

  private ClientFrame parse(String type, JsonObject json, String ref) {
    return switch (type) {
      case "hello" -> hello(json, ref);
      case "join" -> join(json, ref);
      case "leave" -> new ClientFrame.Leave(ref, room(json));
      case "send" -> new ClientFrame.Send(ref, room(json), text(json), optionalToken(json, "cid"));
      case "typing" -> new ClientFrame.Typing(ref, room(json));
      case "rooms" -> new ClientFrame.Rooms(ref, optionalRoom(json, "after"), limit(json, roomsPageMax));
      case "history" -> new ClientFrame.History(ref, room(json), optionalId(json, "before", 1), limit(json, historyPageMax));
      case "members" -> new ClientFrame.Members(ref, room(json), optionalNickField(json, "after"),
          limit(json, membersPageMax));
      case "invite" -> new ClientFrame.Invite(ref, room(json), Names.requireNick(requiredString(json, "nick")));
      case "remove" -> new ClientFrame.Remove(ref, room(json), Names.requireNick(requiredString(json, "nick")));
      case "read" -> new ClientFrame.Read(ref, room(json), requiredId(json, "id"));
      case "role" -> new ClientFrame.Moderate(ref, type, room(json), nick(json), 0, role(json));
      case "kick", "unban" -> new ClientFrame.Moderate(ref, type, room(json), nick(json), 0, null);
      case "ban" -> new ClientFrame.Moderate(ref, type, room(json), nick(json), seconds(json, false), null);
      case "mute" -> new ClientFrame.Moderate(ref, type, room(json), nick(json), seconds(json, true), null);
      case "edit" -> new ClientFrame.ChangeMessage(ref, type, room(json), requiredId(json, "id"), text(json), null,
          false);
      case "delete" -> new ClientFrame.ChangeMessage(ref, type, room(json), requiredId(json, "id"), null, null, false);
      case "react" -> new ClientFrame.ChangeMessage(ref, type, room(json), requiredId(json, "id"), null, emoji(json),
          optionalFlag(json, "on", true));
      default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + abbreviate(type) + "'");
    };
  }

  /** A nick, or a token that names it, or both; a guest's {@code session} to be a user it is already. */
  private static ClientFrame.Hello hello(JsonObject json, String ref) {
    String token = optionalJwt(json);
    String nick = token == null ? Names.requireNick(requiredString(json, "nick")) : optionalNick(json);
    return new ClientFrame.Hello(ref, nick, token, optionalToken(json, "session"));
  }

  /** A room by name, or the direct conversation {@code with} a user (not both); {@code visibility} for a new room. */
  private static ClientFrame.Join join(JsonObject json, String ref) {
    String with = json.getValue("with") == null ? null : Names.requireNick(requiredString(json, "with"));
    if (with != null && json.getValue("room") != null) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "a join names a 'room' or who it is 'with', not both");
    }
    String room = with != null ? null : room(json);
    String visibility = optionalToken(json, "visibility");
    if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "visibility must be 'public' or 'private'");
    }
    return new ClientFrame.Join(ref, room, optionalId(json, "since", 0), optionalToken(json, "epoch"),
        "private".equals(visibility), with);
  }

  /** The {@code token} a request carries (a JWT, at most {@value #MAX_JWT_LENGTH} characters), or null. */
  public static String optionalJwt(JsonObject json) {
    return optionalString(json, "token", MAX_JWT_LENGTH);
  }

  /** Longest {@code emoji} of a reaction, in UTF-16 units (a flag or a family emoji is several code points). */
  public static final int MAX_EMOJI_LENGTH = 32;
  /** Longest ban or mute, in seconds (ten years; a ban for good is {@code 0}). */
  public static final long MAX_SANCTION_SECONDS = 10L * 366 * 86_400;

  private static String nick(JsonObject json) {
    return Names.requireNick(requiredString(json, "nick"));
  }

  private static String role(JsonObject json) {
    String role = requiredString(json, "role");
    if (!role.equals("moderator") && !role.equals("member")) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "role must be 'moderator' or 'member'");
    }
    return role;
  }

  /** A ban's or mute's {@code seconds}: 0 (a ban for good, a mute lifted) up to ten years; {@code required} for mute. */
  private static long seconds(JsonObject json, boolean required) {
    Long seconds = optionalId(json, "seconds", 0);
    if (seconds == null && required) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "field 'seconds' is required");
    }
    if (seconds != null && seconds > MAX_SANCTION_SECONDS) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "seconds must be at most " + MAX_SANCTION_SECONDS);
    }
    return seconds == null ? 0 : seconds;
  }

  /** A reaction's emoji: 1 to {@value #MAX_EMOJI_LENGTH} UTF-16 units, none of them white space or a control. */
  private static String emoji(JsonObject json) {
    String emoji = requiredString(json, "emoji");
    if (emoji.isEmpty() || emoji.length() > MAX_EMOJI_LENGTH
        || emoji.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "emoji must be 1 to " + MAX_EMOJI_LENGTH
          + " characters, without spaces or controls");
    }
    return emoji;
  }

  private static boolean optionalFlag(JsonObject json, String field, boolean otherwise) {
    Object value = json.getValue(field);
    if (value == null) {
      return otherwise;
    }
    if (!(value instanceof Boolean flag)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be true or false");
    }
    return flag;
  }

  private static String room(JsonObject json) {
    return Names.requireRoom(requiredString(json, "room"));
  }

  private String text(JsonObject json) {
    return checkText(requiredString(json, "text"));
  }

  /** Checks message text against the rules of {@code send}; shared with the chat service. */
  public String checkText(String text) {
    if (text == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "field 'text' is required");
    }
    if (text.isBlank()) {
      throw new ProtocolException(ErrorCode.EMPTY_TEXT, "text is empty");
    }
    // Limits count characters as people see them (code points), not UTF-16 units.
    if (text.length() > maxTextLength && text.codePointCount(0, text.length()) > maxTextLength) {
      throw new ProtocolException(ErrorCode.TEXT_TOO_LONG, "text is longer than " + maxTextLength + " characters");
    }
    return text;
  }

  /** {@code limit}: at least 1, capped at {@code max}, which is also its default. */
  private static int limit(JsonObject json, int max) {
    Long limit = optionalWhole(json, "limit");
    if (limit == null) {
      return max;
    }
    if (limit < 1) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "limit must be at least 1");
    }
    return (int) Math.min(limit, max);
  }

  /** An optional field holding a room name. */
  private static String optionalRoom(JsonObject json, String field) {
    return optionalName(json, field, Names::requireRoom);
  }

  private static String optionalNickField(JsonObject json, String field) {
    return optionalName(json, field, Names::requireNick);
  }

  /** An optional string field that must pass {@code check} (a room's or a nick's rules), or null when absent. */
  private static String optionalName(JsonObject json, String field, java.util.function.UnaryOperator<String> check) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String name)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be a string");
    }
    return check.apply(name);
  }


  private static String requiredString(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "field '" + field + "' is required");
    }
    if (!(value instanceof String s)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be a string");
    }
    return s;
  }

  private static String optionalToken(JsonObject json, String field) {
    return optionalString(json, field, MAX_TOKEN_LENGTH);
  }

  /** An optional string field of 1 to {@code maxLength} characters, or null when absent. */
  private static String optionalString(JsonObject json, String field, int maxLength) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be a string");
    }
    if (s.isEmpty() || s.length() > maxLength) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "field '" + field + "' must be 1 to " + maxLength + " characters");
    }
    return s;
  }

  private static long requiredId(JsonObject json, String field) {
    Long value = optionalId(json, field, 0);
    if (value == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "field '" + field + "' is required");
    }
    return value;
  }

  private static Long optionalId(JsonObject json, String field, long min) {
    Long value = optionalWhole(json, field);
    if (value != null && value < min) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "field '" + field + "' must be at least " + min);
    }
    return value;
  }

  private static Long optionalWhole(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 9.007199254740992E15) {
      return n.longValue();
    }
    throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be a whole number");
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? s : s.substring(0, 32) + "...";
  }
}
