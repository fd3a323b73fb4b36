package io.parley.config;

import io.vertx.core.json.JsonObject;

/**
 * Parley's settings, read once at start-up. Every key and its default live in {@code conf/config.json};
 * environment variables and then system properties of the same name override them (see README).
 *
 * @param httpHost        interface the HTTP server binds
 * @param httpPort        HTTP port; 0 picks a free one (tests)
 * @param eventLoops      event-loop threads, and so HTTP verticle instances; 0 means Vert.x's default (2 x cores)
 * @param wsMaxFrameSize  largest WebSocket frame or message in bytes; a larger one closes the socket with 1009
 * @param maxTextLength   longest message text, in Unicode code points
 * @param historySize     messages kept per room
 * @param joinHistory     messages sent with {@code joined} when the client gives no {@code since}
 * @param historyPageMax  most messages one {@code history} request or one {@code since} resume returns
 * @param requestTimeoutMs how long a connection waits for the chat service before answering {@code internal_error}
 * @param gapFillMs       how long a node waits for a missing message id before reading it from history
 * @param clusterEnabled  join a Hazelcast cluster (otherwise the node runs alone)
 * @param clusterHost     address this node binds and advertises for Hazelcast and the event bus
 * @param hazelcastPort   Hazelcast member port
 * @param clusterMembers  comma-separated host:port list of Hazelcast members to join (may include this node)
 * @param eventBusPort    clustered event-bus port; 0 picks a free one
 * @param clusterFailureTimeoutS seconds without a heartbeat before a member is declared dead
 * @param allowedOrigins  origins ({@code scheme://host[:port]}, or {@code *}) whose pages may open {@code /ws} and
 *                        {@code /eventbus} besides the node's own; empty means same-origin only
 * @param bridgeMaxHandlers most room registrations plus requests awaiting a reply, per bridge socket
 * @param heartbeatIntervalMs how often the server pings each {@code /ws} connection
 * @param heartbeatTimeoutMs  a connection from which nothing (frame, pong, bridge ping) arrives for this long is closed
 * @param rateLimitPerS       frames (or bridge messages) per second a connection may send, sustained
 * @param rateLimitBurst      how many it may send at once above that rate
 * @param maxRoomsPerConnection rooms one connection may be in at once
 * @param maxConnectionsPerIp connections (WebSocket and bridge) one client address may hold on a node; 0: no limit
 * @param trustForwardedFor   take the client address from {@code X-Forwarded-For} (behind a balancer that sets it)
 * @param outboundQueueBytes  bytes a connection's unsent frames may hold before presence and typing are dropped;
 *                            twice this and the connection is closed as a slow consumer
 * @param socketSendBufferBytes the kernel send buffer of each connection; 0 leaves it to the OS (which grows it to MiBs)
 * @param wsClosingTimeoutS   how long a closing WebSocket waits for the client's close frame before the TCP
 *                            connection is dropped (a stuck client never sends one)
 * @param sendDedupWindowS    how long a sender's {@code cid} in a room is remembered: a {@code send} repeated with it
 *                            in that time is not published again
 * @param jwtKey              the key that verifies hello's JWT: a shared secret for HS256/384/512, a PEM public key
 *                            otherwise; empty: no authentication, guests pick their nick
 * @param jwtAlgorithm        the token's algorithm (HS256, RS256, ES256...)
 * @param jwtNickClaim        the claim that holds the nick
 * @param tcpBridgeEnabled    open the TCP event-bus bridge (any language; no Origin check, no TLS: off by default)
 * @param tcpBridgePort       its port; 0 picks a free one
 * @param metricsEnabled      Vert.x and Parley metrics, scraped at {@code /metrics} (Prometheus)
 * @param nodeName            the node's name in every log line; empty: the host name
 * @param nativeTransport     use Netty's epoll transport where it loads (Linux x86-64), else Java NIO: fewer
 *                            instructions per socket write, which a fan-out does thousands of times per message
 */
public record ParleyConfig(
    String httpHost,
    int httpPort,
    int eventLoops,
    int wsMaxFrameSize,
    int maxTextLength,
    int historySize,
    int joinHistory,
    int historyPageMax,
    long requestTimeoutMs,
    long gapFillMs,
    boolean clusterEnabled,
    String clusterHost,
    int hazelcastPort,
    java.util.List<String> clusterMembers,
    int eventBusPort,
    int clusterFailureTimeoutS,
    java.util.List<String> allowedOrigins,
    int bridgeMaxHandlers,
    long heartbeatIntervalMs,
    long heartbeatTimeoutMs,
    int rateLimitPerS,
    int rateLimitBurst,
    int maxRoomsPerConnection,
    int maxConnectionsPerIp,
    boolean trustForwardedFor,
    int outboundQueueBytes,
    int socketSendBufferBytes,
    int wsClosingTimeoutS,
    int sendDedupWindowS,
    String jwtKey,
    String jwtAlgorithm,
    String jwtNickClaim,
    boolean nativeTransport,
    boolean tcpBridgeEnabled,
    int tcpBridgePort,
    boolean metricsEnabled,
    String nodeName) {

  public static final String HTTP_HOST = "HTTP_HOST";
  public static final String HTTP_PORT = "HTTP_PORT";
  public static final String EVENT_LOOPS = "EVENT_LOOPS";
  public static final String WS_MAX_FRAME_SIZE = "WS_MAX_FRAME_SIZE";
  public static final String MAX_TEXT_LENGTH = "MAX_TEXT_LENGTH";
  public static final String HISTORY_SIZE = "HISTORY_SIZE";
  public static final String JOIN_HISTORY = "JOIN_HISTORY";
  public static final String HISTORY_PAGE_MAX = "HISTORY_PAGE_MAX";
  public static final String REQUEST_TIMEOUT_MS = "REQUEST_TIMEOUT_MS";
  public static final String GAP_FILL_MS = "GAP_FILL_MS";
  public static final String CLUSTER_ENABLED = "CLUSTER_ENABLED";
  public static final String CLUSTER_HOST = "CLUSTER_HOST";
  public static final String HAZELCAST_PORT = "HAZELCAST_PORT";
  public static final String CLUSTER_MEMBERS = "CLUSTER_MEMBERS";
  public static final String EVENTBUS_PORT = "EVENTBUS_PORT";
  public static final String CLUSTER_FAILURE_TIMEOUT_S = "CLUSTER_FAILURE_TIMEOUT_S";
  public static final String ALLOWED_ORIGINS = "ALLOWED_ORIGINS";
  public static final String BRIDGE_MAX_HANDLERS = "BRIDGE_MAX_HANDLERS";
  public static final String HEARTBEAT_INTERVAL_MS = "HEARTBEAT_INTERVAL_MS";
  public static final String HEARTBEAT_TIMEOUT_MS = "HEARTBEAT_TIMEOUT_MS";
  public static final String RATE_LIMIT_PER_S = "RATE_LIMIT_PER_S";
  public static final String RATE_LIMIT_BURST = "RATE_LIMIT_BURST";
  public static final String MAX_ROOMS_PER_CONNECTION = "MAX_ROOMS_PER_CONNECTION";
  public static final String MAX_CONNECTIONS_PER_IP = "MAX_CONNECTIONS_PER_IP";
  public static final String TRUST_FORWARDED_FOR = "TRUST_FORWARDED_FOR";
  public static final String OUTBOUND_QUEUE_BYTES = "OUTBOUND_QUEUE_BYTES";
  public static final String SOCKET_SEND_BUFFER_BYTES = "SOCKET_SEND_BUFFER_BYTES";
  public static final String WS_CLOSING_TIMEOUT_S = "WS_CLOSING_TIMEOUT_S";
  public static final String SEND_DEDUP_WINDOW_S = "SEND_DEDUP_WINDOW_S";
  public static final String JWT_KEY = "JWT_KEY";
  public static final String JWT_ALGORITHM = "JWT_ALGORITHM";
  public static final String JWT_NICK_CLAIM = "JWT_NICK_CLAIM";
  public static final String NATIVE_TRANSPORT = "NATIVE_TRANSPORT";
  public static final String TCP_BRIDGE_ENABLED = "TCP_BRIDGE_ENABLED";
  public static final String TCP_BRIDGE_PORT = "TCP_BRIDGE_PORT";
  public static final String METRICS_ENABLED = "METRICS_ENABLED";
  public static final String NODE_NAME = "NODE_NAME";

  /** Every key Parley reads; the environment store is limited to these. */
  public static final java.util.List<String> KEYS = java.util.List.of(
      HTTP_HOST, HTTP_PORT, EVENT_LOOPS, WS_MAX_FRAME_SIZE, MAX_TEXT_LENGTH,
      HISTORY_SIZE, JOIN_HISTORY, HISTORY_PAGE_MAX, REQUEST_TIMEOUT_MS, GAP_FILL_MS,
      CLUSTER_ENABLED, CLUSTER_HOST, HAZELCAST_PORT, CLUSTER_MEMBERS, EVENTBUS_PORT, CLUSTER_FAILURE_TIMEOUT_S,
      ALLOWED_ORIGINS, BRIDGE_MAX_HANDLERS, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS, RATE_LIMIT_PER_S,
      RATE_LIMIT_BURST, MAX_ROOMS_PER_CONNECTION, MAX_CONNECTIONS_PER_IP, TRUST_FORWARDED_FOR, OUTBOUND_QUEUE_BYTES,
      SOCKET_SEND_BUFFER_BYTES, WS_CLOSING_TIMEOUT_S, SEND_DEDUP_WINDOW_S, JWT_KEY, JWT_ALGORITHM, JWT_NICK_CLAIM,
      NATIVE_TRANSPORT, TCP_BRIDGE_ENABLED, TCP_BRIDGE_PORT, METRICS_ENABLED, NODE_NAME);

  public ParleyConfig {
    requireRange(HTTP_PORT, httpPort, 0, 65535);
    requireRange(EVENT_LOOPS, eventLoops, 0, 1024);
    requireRange(WS_MAX_FRAME_SIZE, wsMaxFrameSize, 256, 16 * 1024 * 1024);
    requireRange(MAX_TEXT_LENGTH, maxTextLength, 1, 1024 * 1024);
    requireRange(HISTORY_SIZE, historySize, 1, 1_000_000);
    // Either may exceed HISTORY_SIZE; a room never returns more than it keeps.
    requireRange(JOIN_HISTORY, joinHistory, 0, 1_000_000);
    requireRange(HISTORY_PAGE_MAX, historyPageMax, 1, 1_000_000);
    requireRange(REQUEST_TIMEOUT_MS, requestTimeoutMs, 1, 600_000);
    requireRange(GAP_FILL_MS, gapFillMs, 1, 60_000);
    requireRange(HAZELCAST_PORT, hazelcastPort, 1, 65535);
    requireRange(EVENTBUS_PORT, eventBusPort, 0, 65535);
    requireRange(CLUSTER_FAILURE_TIMEOUT_S, clusterFailureTimeoutS, 1, 600);
    requireRange(BRIDGE_MAX_HANDLERS, bridgeMaxHandlers, 2, 100_000);
    requireRange(HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs, 50, 3_600_000);
    requireRange(HEARTBEAT_TIMEOUT_MS, heartbeatTimeoutMs, heartbeatIntervalMs + 1, 86_400_000);
    requireRange(RATE_LIMIT_PER_S, rateLimitPerS, 1, 1_000_000);
    requireRange(RATE_LIMIT_BURST, rateLimitBurst, 1, 1_000_000);
    requireRange(MAX_ROOMS_PER_CONNECTION, maxRoomsPerConnection, 1, 100_000);
    requireRange(MAX_CONNECTIONS_PER_IP, maxConnectionsPerIp, 0, 1_000_000);
    requireRange(OUTBOUND_QUEUE_BYTES, outboundQueueBytes, 4096, 256 * 1024 * 1024);
    requireRange(SOCKET_SEND_BUFFER_BYTES, socketSendBufferBytes, 0, 64 * 1024 * 1024);
    requireRange(WS_CLOSING_TIMEOUT_S, wsClosingTimeoutS, 1, 600);
    requireRange(SEND_DEDUP_WINDOW_S, sendDedupWindowS, 1, 86_400);
    requireRange(TCP_BRIDGE_PORT, tcpBridgePort, 0, 65535);
    if (!jwtAlgorithm.matches("(HS|RS|ES|PS)(256|384|512)")) {
      throw new IllegalArgumentException("config key " + JWT_ALGORITHM + " must be one of HS256.., RS256.., ES256.., PS256.., got '"
          + jwtAlgorithm + "'");
    }
    if (jwtNickClaim.isBlank()) {
      throw new IllegalArgumentException("config key " + JWT_NICK_CLAIM + " is empty");
    }
    clusterMembers = java.util.List.copyOf(clusterMembers);
    allowedOrigins = java.util.List.copyOf(allowedOrigins);
  }

  /** Whether hello must carry a token (a verification key is configured). */
  public boolean authenticates() {
    return !jwtKey.isBlank();
  }

  /** Leaves the key out: the config is logged. */
  @Override
  public String toString() {
    return "ParleyConfig[httpPort=" + httpPort + ", clusterEnabled=" + clusterEnabled + ", authenticates=" + authenticates() + "]";
  }

  /** Builds the config from merged JSON; a missing or malformed key fails start-up with its name. */
  public static ParleyConfig fromJson(JsonObject json) {
    return new ParleyConfig(
        string(json, HTTP_HOST),
        (int) number(json, HTTP_PORT),
        (int) number(json, EVENT_LOOPS),
        (int) number(json, WS_MAX_FRAME_SIZE),
        (int) number(json, MAX_TEXT_LENGTH),
        (int) number(json, HISTORY_SIZE),
        (int) number(json, JOIN_HISTORY),
        (int) number(json, HISTORY_PAGE_MAX),
        number(json, REQUEST_TIMEOUT_MS),
        number(json, GAP_FILL_MS),
        bool(json, CLUSTER_ENABLED),
        string(json, CLUSTER_HOST),
        (int) number(json, HAZELCAST_PORT),
        list(json, CLUSTER_MEMBERS),
        (int) number(json, EVENTBUS_PORT),
        (int) number(json, CLUSTER_FAILURE_TIMEOUT_S),
        list(json, ALLOWED_ORIGINS, "\\*|https?://[^/:\\s]+(:\\d{1,5})?", "origins like https://chat.example.com or *"),
        (int) number(json, BRIDGE_MAX_HANDLERS),
        number(json, HEARTBEAT_INTERVAL_MS),
        number(json, HEARTBEAT_TIMEOUT_MS),
        (int) number(json, RATE_LIMIT_PER_S),
        (int) number(json, RATE_LIMIT_BURST),
        (int) number(json, MAX_ROOMS_PER_CONNECTION),
        (int) number(json, MAX_CONNECTIONS_PER_IP),
        bool(json, TRUST_FORWARDED_FOR),
        (int) number(json, OUTBOUND_QUEUE_BYTES),
        (int) number(json, SOCKET_SEND_BUFFER_BYTES),
        (int) number(json, WS_CLOSING_TIMEOUT_S),
        (int) number(json, SEND_DEDUP_WINDOW_S),
        string(json, JWT_KEY),
        string(json, JWT_ALGORITHM).trim(),
        string(json, JWT_NICK_CLAIM).trim(),
        bool(json, NATIVE_TRANSPORT),
        bool(json, TCP_BRIDGE_ENABLED),
        (int) number(json, TCP_BRIDGE_PORT),
        bool(json, METRICS_ENABLED),
        string(json, NODE_NAME).trim());
  }

  private static boolean bool(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof Boolean b) {
      return b;
    }
    String text = string(json, key).trim().toLowerCase(java.util.Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException("config key " + key + " must be true or false, got '" + value + "'");
    }
    return Boolean.parseBoolean(text);
  }

  /** A comma-separated list (or a JSON array) of host:port entries; blanks dropped. */
  private static java.util.List<String> list(JsonObject json, String key) {
    return list(json, key, "[^:\\s]+:\\d{1,5}", "host:port entries");
  }

  /** A comma-separated list (or a JSON array) whose entries match {@code pattern}; blanks dropped. */
  private static java.util.List<String> list(JsonObject json, String key, String pattern, String wants) {
    Object value = json.getValue(key);
    java.util.stream.Stream<String> items = value instanceof io.vertx.core.json.JsonArray array
        ? array.stream().map(String::valueOf)
        : java.util.Arrays.stream(string(json, key).split(","));
    java.util.List<String> entries = items.map(String::trim).filter(item -> !item.isEmpty()).toList();
    for (String entry : entries) {
      if (!entry.matches(pattern)) {
        throw new IllegalArgumentException("config key " + key + " wants " + wants + ", got '" + entry + "'");
      }
    }
    return entries;
  }

  private static String string(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      throw new IllegalArgumentException("config key " + key + " is missing");
    }
    return value.toString();
  }

  // Environment variables and system properties arrive as strings: accept "8080" as well as 8080.
  private static long number(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(string(json, key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("config key " + key + " must be a whole number, got '" + value + "'");
    }
  }

  private static void requireRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "config key " + key + " must be between " + min + " and " + max + ", got " + value);
    }
  }
}
