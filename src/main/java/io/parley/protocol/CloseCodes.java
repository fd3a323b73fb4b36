package io.parley.protocol;

/** WebSocket close codes Parley sends, mirrored in docs/PROTOCOL.md. */
public final class CloseCodes {

  /** The node is shutting down (restart, deploy, scale-in); reconnect, to any node, and resume. */
  public static final short SERVICE_RESTART = 1012;
  /** A frame or message exceeded {@code WS_MAX_FRAME_SIZE}. Do not resend it. */
  public static final short MESSAGE_TOO_BIG = 1009;
  /** An unexpected server error on this connection; reconnect. */
  public static final short INTERNAL_ERROR = 1011;
  /** Nothing (frame or pong) arrived for {@code HEARTBEAT_TIMEOUT_MS}: the connection is taken for dead. */
  public static final short HEARTBEAT_TIMEOUT = 4000;
  /**
   * Bridge sockets only: refused at once, the client's address holds {@code MAX_CONNECTIONS_PER_IP} connections
   * already ({@code /ws} answers the upgrade with 429 instead). Do not reconnect at once.
   */
  public static final short POLICY_VIOLATION = 1008;
  /** The client read too slowly: its unsent frames passed the bound. Reconnect and resume with {@code since}. */
  public static final short SLOW_CONSUMER = 4001;

  /**
   * The application's backend disconnected this user (server API, {@code POST /api/v1/users/{nick}/disconnect}).
   * Do not reconnect at once as the same user: the backend decided; the reason says why.
   */
  public static final short DISCONNECTED = 4002;

  private CloseCodes() {
  }
}
