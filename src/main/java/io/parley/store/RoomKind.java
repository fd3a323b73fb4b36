package io.parley.store;

import java.util.Locale;

/**
 * What kind of room a record is: public (anyone may join and read), private (its access list decides: the owner,
 * members and those invited), or a direct conversation of two users (both members, no owner).
 */
public enum RoomKind {
  PUBLIC, PRIVATE, DIRECT;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** As stored and as written in frames: {@code public}, {@code private}, {@code direct}. */
  public String code() {
    return code;
  }

  public boolean restricted() {
    return this != PUBLIC;
  }

  public static RoomKind fromCode(String code) {
    for (RoomKind kind : values()) {
      if (kind.code.equals(code)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("no room kind '" + code + "'");
  }
}
