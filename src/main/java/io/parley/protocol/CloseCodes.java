package io.parley.protocol;

/** WebSocket close codes Parley sends, mirrored in docs/PROTOCOL.md. */
public final class CloseCodes {

  /** The server is shutting down this node; reconnect (to any node). */
  public static final short GOING_AWAY = 1001;
  /** A frame or message exceeded {@code WS_MAX_FRAME_SIZE}. Do not resend it. */
  public static final short MESSAGE_TOO_BIG = 1009;
  /** An unexpected server error on this connection; reconnect. */
  public static final short INTERNAL_ERROR = 1011;

  private CloseCodes() {
  }
}
