package io.parley.protocol;

import java.util.Locale;

/**
 * The {@code code} of an {@code error} frame. Mirrored, with the test that shows each, in docs/PROTOCOL.md.
 * An error frame never closes the connection.
 */
public enum ErrorCode {
  /** The text frame is not a JSON object. */
  INVALID_JSON,
  /** A binary frame arrived; Parley speaks JSON in text frames only. */
  BINARY_NOT_SUPPORTED,
  /** {@code type} names no frame Parley knows. */
  UNKNOWN_TYPE,
  /** A required field is absent (or null). */
  MISSING_FIELD,
  /** A field has the wrong JSON type (a string where a number belongs, a fraction for an id...). */
  WRONG_TYPE,
  /** A field has the right type but a value out of range (a negative {@code since}, a long {@code cid}...). */
  INVALID_VALUE,
  /** A nick that does not match {@code [A-Za-z0-9_-]{1,32}}. */
  INVALID_NICK,
  /** A room name that does not match {@code [A-Za-z0-9_-]{1,64}}. */
  INVALID_ROOM,
  /** Message text that is empty or only white space. */
  EMPTY_TEXT,
  /** Message text longer than the configured maximum. */
  TEXT_TOO_LONG,
  /** Any frame but {@code hello} before {@code hello} succeeded. */
  HELLO_REQUIRED,
  /** A second {@code hello} on a connection that already has a nick. */
  ALREADY_IDENTIFIED,
  /** The nick belongs to another live connection. */
  NICK_TAKEN,
  /** A bridge request names a nick other than the one its connection joined with. */
  NICK_MISMATCH,
  /** {@code send}, {@code typing} or {@code leave} for a room this connection has not joined. */
  NOT_JOINED,
  /** Authentication is on ({@code JWT_KEY} or {@code JWKS_URL}): {@code hello} (or the bridge's first join) needs a {@code token}. */
  AUTH_REQUIRED,
  /** The token's signature, expiry, lifetime, issuer, audience or nick claim does not hold. */
  INVALID_TOKEN,
  /**
   * The authorization proxy ({@code AUTH_PROXY_URL}) refused the {@code hello} (or the bridge's identity claim) or the
   * {@code join}, with its reason as the message; or it did not answer and {@code AUTH_PROXY_FAIL} is {@code deny}.
   */
  DENIED,
  /** The connection sent more frames than {@code RATE_LIMIT_PER_S} (with {@code RATE_LIMIT_BURST}) allow. */
  RATE_LIMITED,
  /**
   * The room is private (or a direct conversation) and the user is not on its access list, or the request needs a
   * role the user does not have (only a private room's owner removes members; see docs/PROTOCOL.md, "Roles").
   */
  FORBIDDEN,
  /** A {@code join} (or a read, or a bridge registration) of a room the user is banned from, until the ban ends. */
  BANNED,
  /** A {@code send}, {@code edit} or {@code react} in a room where the user is muted, until the mute ends. */
  MUTED,
  /** An {@code edit}, {@code delete} or {@code react} of a message the room does not have (or that was deleted). */
  NOT_FOUND,
  /** The sender's {@code edit} or {@code delete} of a message older than {@code MAX_EDIT_AGE_S}. */
  EDIT_WINDOW_PASSED,
  /** A reaction past {@code REACTIONS_PER_MESSAGE_MAX} emoji on a message or {@code REACTIONS_PER_USER_MAX} of one user. */
  TOO_MANY_REACTIONS,
  /** A join past {@code MAX_ROOMS_PER_CONNECTION}: leave a room first. */
  TOO_MANY_ROOMS,
  /** A join that would create a room past {@code ROOM_CREATE_PER_MIN} from this client's address; wait a minute. */
  TOO_MANY_NEW_ROOMS,
  /** A join that would create a room while {@code MAX_ROOMS} rooms exist. */
  ROOM_LIMIT_REACHED,
  /** Server API: what it was asked to create (a room) exists already. */
  ALREADY_EXISTS,
  /**
   * The storage cannot be reached (or is overloaded): the request was not done (a send is not acknowledged);
   * retry, with the same {@code cid} for a send.
   */
  UNAVAILABLE,
  /** The server could not complete the request (the chat service did not answer in time); retry. */
  INTERNAL_ERROR;

  private final String code = name().toLowerCase(Locale.ROOT);

  /** The snake_case code written in error frames. */
  public String code() {
    return code;
  }

  /** Parses a code written by {@link #code()}; anything else is {@link #INTERNAL_ERROR}. */
  public static ErrorCode fromCode(String code) {
    if (code != null) {
      for (ErrorCode value : values()) {
        if (value.code.equals(code)) {
          return value;
        }
      }
    }
    return INTERNAL_ERROR;
  }
}
