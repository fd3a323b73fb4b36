package io.parley.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every configuration key of Parley, each declared once: name, type and range, default, one line of doc. Defaults
 * are packaged in {@code conf/config.json}; an operator's file ({@code PARLEY_CONFIG}), the environment and system
 * properties override them (README, "Configuration", whose table is this list: {@code SettingsTest} checks it and
 * {@code conf/config.json} against these declarations). Read them with {@link ParleyConfig#get(Setting)}.
 */
public final class Settings {

  private static final List<Setting<?>> DECLARED = new ArrayList<>();

  public static final Setting<String> HTTP_HOST = declare(Setting.text("HTTP_HOST", "0.0.0.0", true,
      "interface the HTTP server binds"));
  public static final Setting<Integer> HTTP_PORT = declare(Setting.integer("HTTP_PORT", 8080, 0, 65535,
      "HTTP port for the page, `/ws`, `/eventbus`, `/health`, `/ready` and (unless `METRICS_PORT`) `/metrics`; "
          + "`0` picks a free port"));
  public static final Setting<Integer> EVENT_LOOPS = declare(Setting.integer("EVENT_LOOPS", 0, 0, 1024,
      "event-loop threads, and so HTTP verticle instances; `0` means Vert.x's default, 2 x cores"));
  public static final Setting<Integer> WS_MAX_FRAME_SIZE = declare(Setting.integer("WS_MAX_FRAME_SIZE", 65536, 256,
      16 * 1024 * 1024,
      "largest WebSocket frame, and largest reassembled message, in bytes; larger closes with 1009"));
  public static final Setting<Integer> MAX_TEXT_LENGTH = declare(Setting.integer("MAX_TEXT_LENGTH", 4096, 1,
      1024 * 1024, "longest message text, in characters (Unicode code points)"));
  public static final Setting<String> STORAGE = declare(Setting.matching("STORAGE", "auto",
      "auto|embedded|postgresql|memory", "auto, embedded, postgresql or memory",
      "where rooms and messages are kept: `embedded` (SQLite in `DATA_DIR`), `postgresql` (`DATABASE_URL`), "
          + "`memory` (forgotten when the node, or the whole cluster, stops); `auto`: `postgresql` if `DATABASE_URL` "
          + "is set, else `embedded` (a cluster refuses to start without `DATABASE_URL`, unless `memory`)"));
  public static final Setting<String> DATA_DIR = declare(Setting.text("DATA_DIR", "data", true,
      "the embedded database's folder (`parley.db` in it), relative to the working directory; created if missing"));
  public static final Setting<String> EMBEDDED_SYNC = declare(Setting.matching("EMBEDDED_SYNC", "full", "full|normal",
      "full or normal", "when the embedded database's commit waits for the disk: `full`, at every commit (an "
          + "acknowledged message survives `kill -9` and a power cut); `normal`, at checkpoints (it survives `kill -9`, "
          + "a power cut may take the last ones), fewer fsyncs"));
  public static final Setting<String> DATABASE_URL = declare(Setting.matching("DATABASE_URL", "",
      "|postgres(ql)?://\\S+", "a postgresql://user:password@host:port/db URI",
      "PostgreSQL for every node of a cluster: `postgresql://user:password@host:port/db`"));
  public static final Setting<Integer> DATABASE_POOL_SIZE = declare(Setting.integer("DATABASE_POOL_SIZE", 8, 1, 1000,
      "connections to PostgreSQL each node may hold"));
  public static final Setting<Integer> COMMIT_BATCH_MAX = declare(Setting.integer("COMMIT_BATCH_MAX", 500, 1,
      100_000, "most messages stored in one transaction (sends that wait while one commits go in the next)"));
  public static final Setting<Integer> COMMIT_QUEUE_MAX = declare(Setting.integer("COMMIT_QUEUE_MAX", 20000, 1,
      10_000_000, "most messages waiting to be stored; past it, a send is refused with `unavailable`"));
  public static final Setting<Integer> HISTORY_RETENTION_DAYS = declare(Setting.integer("HISTORY_RETENTION_DAYS", 0,
      0, 100_000, "messages older than this many days are deleted (in the background); `0`: kept for good"));
  public static final Setting<Integer> HISTORY_MAX_PER_ROOM = declare(Setting.integer("HISTORY_MAX_PER_ROOM", 0, 0,
      1_000_000_000, "only the newest this many messages of each room are kept; `0`: all"));
  public static final Setting<Integer> HISTORY_SIZE = declare(Setting.integer("HISTORY_SIZE", 500, 1, 1_000_000,
      "messages per room held in memory: with `STORAGE=memory` all there is, otherwise the cache a node answers "
          + "from while its database is down"));
  // JOIN_HISTORY and HISTORY_PAGE_MAX may exceed HISTORY_SIZE: a room never returns more than it keeps.
  public static final Setting<Integer> JOIN_HISTORY = declare(Setting.integer("JOIN_HISTORY", 50, 0, 1_000_000,
      "messages sent with `joined` when the client gives no `since`"));
  public static final Setting<Integer> HISTORY_PAGE_MAX = declare(Setting.integer("HISTORY_PAGE_MAX", 100, 1,
      1_000_000, "most messages in one `history` answer, or in `joined` for a `join` with `since`"));
  public static final Setting<Long> REQUEST_TIMEOUT_MS = declare(Setting.longer("REQUEST_TIMEOUT_MS", 5000, 1,
      600_000, "how long a connection waits for the chat service before answering `internal_error`"));
  public static final Setting<Long> GAP_FILL_MS = declare(Setting.longer("GAP_FILL_MS", 500, 1, 60_000,
      "how long a node holds a message whose predecessor has not arrived before reading the missing ids from history"));
  public static final Setting<Boolean> CLUSTER_ENABLED = declare(Setting.flag("CLUSTER_ENABLED", false,
      "join a Hazelcast cluster; without it the node runs alone, history in memory"));
  public static final Setting<String> CLUSTER_HOST = declare(Setting.text("CLUSTER_HOST", "127.0.0.1", true,
      "address this node advertises to the others and, unless `CLUSTER_BIND_HOST` is set, binds (Hazelcast and "
          + "event bus)"));
  public static final Setting<Integer> HAZELCAST_PORT = declare(Setting.integer("HAZELCAST_PORT", 5701, 1, 65535,
      "this node's Hazelcast port"));
  public static final Setting<List<String>> CLUSTER_MEMBERS = declare(Setting.list("CLUSTER_MEMBERS",
      "[^:\\s]+:\\d{1,5}", "host:port entries",
      "comma-separated `host:port` Hazelcast members to join; empty means this node only"));
  public static final Setting<Integer> CLUSTER_QUORUM = declare(Setting.integer("CLUSTER_QUORUM", 0, 0, 1000,
      "members a node must see (itself included) to accept `hello`, `join` and `send`; fewer, and it answers "
          + "`unavailable` and `/ready` 503 `NO_QUORUM` (the minority side of a split); `0`: a majority of "
          + "`CLUSTER_MEMBERS`, which must then list every member. A two-node cluster that must survive the loss of one sets `1`"));
  public static final Setting<Integer> EVENTBUS_PORT = declare(Setting.integer("EVENTBUS_PORT", 0, 0, 65535,
      "clustered event-bus port; `0` picks a free one (set it when a firewall needs a fixed port)"));
  public static final Setting<Integer> CLUSTER_FAILURE_TIMEOUT_S = declare(Setting.integer("CLUSTER_FAILURE_TIMEOUT_S",
      8, 1, 600, "seconds without a heartbeat before a member is declared dead and its members leave the lists"));
  public static final Setting<String> CLUSTER_BIND_HOST = declare(Setting.text("CLUSTER_BIND_HOST", "", true,
      "address the Hazelcast and event-bus ports bind when it is not `CLUSTER_HOST` (a node behind NAT, whose "
          + "advertised address is not its own); empty: `CLUSTER_HOST`"));
  public static final Setting<String> CLUSTER_SECRET = declare(Setting.text("CLUSTER_SECRET", "", false,
      "shared by every node: the Hazelcast cluster name is derived from it (SHA-256), so a node or Hazelcast client "
          + "without it is refused; empty: the public name `parley`. Not encryption: keep the cluster ports on a "
          + "private network ([docs/CLUSTER.md](docs/CLUSTER.md#security))"));
  public static final Setting<String> CLUSTER_TLS_KEYSTORE = declare(Setting.text("CLUSTER_TLS_KEYSTORE", "", true,
      "a PKCS#12 file shared by every node: the event bus then speaks TLS, with it as both key and trust store, "
          + "and accepts only peers that present its certificate; empty: plain TCP"));
  public static final Setting<String> CLUSTER_TLS_PASSWORD = declare(Setting.text("CLUSTER_TLS_PASSWORD", "", false,
      "the password of `CLUSTER_TLS_KEYSTORE`"));
  public static final Setting<List<String>> ALLOWED_ORIGINS = declare(Setting.list("ALLOWED_ORIGINS",
      "\\*|https?://[^/:\\s]+(:\\d{1,5})?", "origins like https://chat.example.com or *",
      "comma-separated origins (`https://app.example.com`) whose pages may use `/ws` and `/eventbus` besides the "
          + "node's own; scheme, host and port must match; `*` allows any; empty means same-origin only. Requests "
          + "without `Origin` (non-browser clients) always pass"));
  public static final Setting<List<String>> PUBLIC_ORIGINS = declare(Setting.list("PUBLIC_ORIGINS",
      "https?://[^/:\\s]+(:\\d{1,5})?", "origins like https://chat.example.com",
      "comma-separated origins at which browsers reach the page (`https://chat.example.com`, the balancer's public "
          + "address): the node's own origin for `/ws` and `/eventbus`; empty: the scheme and `Host` of each request, "
          + "which any DNS name pointed at the node passes (DNS rebinding): set it for a deployment"));
  public static final Setting<Integer> BRIDGE_MAX_HANDLERS = declare(Setting.integer("BRIDGE_MAX_HANDLERS", 64, 2,
      100_000, "most room registrations plus requests awaiting a reply per bridge socket; one more is refused "
          + "(`max_handlers_reached`)"));
  public static final Setting<Integer> BRIDGE_MAX_PENDING = declare(Setting.integer("BRIDGE_MAX_PENDING", 100, 1,
      1_000_000, "envelopes a bridge socket may have waiting while an earlier one is served (envelopes take effect in "
          + "order); one more closes the socket with 1008"));
  public static final Setting<Long> HEARTBEAT_INTERVAL_MS = declare(Setting.longer("HEARTBEAT_INTERVAL_MS", 25000, 50,
      3_600_000, "the server pings each `/ws` connection this often"));
  public static final Setting<Long> HEARTBEAT_TIMEOUT_MS = declare(Setting.longer("HEARTBEAT_TIMEOUT_MS", 60000, 51,
      86_400_000, "a connection from which nothing arrives (frame, pong, bridge ping) for this long is closed "
          + "(4000); also the HTTP idle timeout. More than `HEARTBEAT_INTERVAL_MS`"));
  public static final Setting<Integer> RATE_LIMIT_PER_S = declare(Setting.integer("RATE_LIMIT_PER_S", 20, 1,
      1_000_000, "frames (bridge: requests) a connection may send per second, sustained; past it, `rate_limited`"));
  public static final Setting<Integer> RATE_LIMIT_BURST = declare(Setting.integer("RATE_LIMIT_BURST", 40, 1,
      1_000_000, "how many it may send at once above that rate"));
  public static final Setting<Integer> RATE_LIMIT_CLOSE_AFTER = declare(Setting.integer("RATE_LIMIT_CLOSE_AFTER", 200,
      1, 1_000_000_000, "a connection that sends this many frames over the rate limit within one second is closed "
          + "with 1008: it is flooding, not bursting"));
  public static final Setting<Integer> MAX_ROOMS_PER_CONNECTION = declare(Setting.integer("MAX_ROOMS_PER_CONNECTION",
      50, 1, 100_000, "rooms one connection may be in at once; past it, `too_many_rooms`"));
  public static final Setting<Integer> BIG_ROOM_SIZE = declare(Setting.integer("BIG_ROOM_SIZE", 1000, 1, 10_000_000,
      "members above which a room is big: `joined` carries a first page of `members`, and joins and leaves are "
          + "announced as a throttled `count`, not one `presence` each"));
  public static final Setting<Integer> MEMBERS_PAGE_SIZE = declare(Setting.integer("MEMBERS_PAGE_SIZE", 100, 1,
      10_000, "members in a big room's `joined`, and most in one `members` answer"));
  public static final Setting<Integer> BIG_ROOM_COUNT_INTERVAL_MS = declare(Setting.integer(
      "BIG_ROOM_COUNT_INTERVAL_MS", 1000, 1, 3_600_000,
      "how often a big room's `count` goes out while it changes: each node at most once per this times the nodes,"
          + " times the square root of the room's size over `BIG_ROOM_SIZE`"));
  public static final Setting<Integer> ROOMS_PAGE_MAX = declare(Setting.integer("ROOMS_PAGE_MAX", 100, 1, 10_000,
      "most rooms in one `rooms` answer"));
  public static final Setting<Integer> ROOM_CREATE_PER_MIN = declare(Setting.integer("ROOM_CREATE_PER_MIN", 30, 1,
      1_000_000, "rooms one client address may create per minute (by joining a room that does not exist); past it, "
          + "`too_many_new_rooms`"));
  public static final Setting<Integer> MAX_ROOMS = declare(Setting.integer("MAX_ROOMS", 100_000, 1, 1_000_000_000,
      "rooms that may exist in all; a join that would create one more gets `room_limit_reached`"));
  public static final Setting<Integer> CACHE_ROOMS_MAX = declare(Setting.integer("CACHE_ROOMS_MAX", 10_000, 1,
      10_000_000, "rooms whose newest messages a node holds in memory at most (the least recently used go first)"));
  public static final Setting<Integer> ROOM_IDLE_EVICT_S = declare(Setting.integer("ROOM_IDLE_EVICT_S", 120, 1,
      86_400, "a room's cached state is dropped from a node's memory after this many seconds unused"));
  public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = declare(Setting.integer("MAX_CONNECTIONS_PER_IP", 100,
      0, 1_000_000, "connections (`/ws` and bridge) one client address may hold on a node; `0`: no limit; past it, 429"));
  public static final Setting<Boolean> TRUST_FORWARDED_FOR = declare(Setting.flag("TRUST_FORWARDED_FOR", false,
      "take the client address from the last `X-Forwarded-For` entry, the one the balancer added, and the scheme of "
          + "the Origin check from `X-Forwarded-Proto` (set it only behind a balancer that sets those headers, as "
          + "compose does; otherwise clients could claim any address)"));
  public static final Setting<Integer> OUTBOUND_QUEUE_BYTES = declare(Setting.integer("OUTBOUND_QUEUE_BYTES", 262144,
      4096, 256 * 1024 * 1024, "unsent bytes a connection may hold before its presence and typing frames are "
          + "dropped; as much again and it is closed as a slow consumer (4001)"));
  public static final Setting<Long> WRITE_DELAY_MS = declare(Setting.longer("WRITE_DELAY_MS", 0, 0, 1000,
      "how long a node may hold room events before it flushes them to the sockets, so that a socket's events of "
          + "that time leave in one write (less CPU per delivery at high rates, that much more latency); `0` "
          + "flushes each batch at once (docs/BENCHMARKS.md says which wins where)"));
  public static final Setting<Integer> SOCKET_SEND_BUFFER_BYTES = declare(Setting.integer("SOCKET_SEND_BUFFER_BYTES",
      131072, 0, 64 * 1024 * 1024, "each connection's kernel send buffer; `0` leaves it to the OS, which grows it to "
          + "4 MiB per slow client"));
  public static final Setting<Integer> WS_CLOSING_TIMEOUT_S = declare(Setting.integer("WS_CLOSING_TIMEOUT_S", 2, 1,
      600, "how long a closing connection waits for the client's close frame before its TCP connection is dropped"));
  public static final Setting<Integer> SEND_DEDUP_WINDOW_S = declare(Setting.integer("SEND_DEDUP_WINDOW_S", 120, 1,
      86_400, "how long a sender's `cid` in a room is remembered, cluster-wide: a `send` repeated with it is not "
          + "published again"));
  public static final Setting<Integer> GUEST_SESSION_TTL_S = declare(Setting.integer("GUEST_SESSION_TTL_S", 120, 0,
      86_400, "a guest's nick stays theirs this long after their last connection closed: a `hello` with their "
          + "`session` is them again, any other is `nick_taken`; then the nick is free"));
  public static final Setting<String> JWT_KEY = declare(Setting.text("JWT_KEY", "", false,
      "verifies the JWT that `hello` (and the bridge's first join) must then carry: a PEM public key, or the shared "
          + "secret for HS*; empty (and no `JWKS_URL`): no authentication"));
  public static final Setting<String> JWT_ALGORITHM = declare(Setting.matching("JWT_ALGORITHM", "RS256",
      "(HS|RS|ES|PS)(256|384|512)", "one of HS256.., RS256.., ES256.., PS256..",
      "the algorithm of `JWT_KEY`, which its tokens must name (HS256/384/512, RS*, ES*, PS*); a `JWKS_URL` key "
          + "has its own (its `alg`, RS256 if none)"));
  public static final Setting<String> JWT_NICK_CLAIM = declare(Setting.matching("JWT_NICK_CLAIM", "nick", "\\S+",
      "a claim name", "the token claim that gives the nick"));
  public static final Setting<String> JWT_ISSUER = declare(Setting.text("JWT_ISSUER", "", true,
      "the token's `iss` must be exactly this, else `invalid_token`; empty: not checked"));
  public static final Setting<String> JWT_AUDIENCE = declare(Setting.text("JWT_AUDIENCE", "", true,
      "the token's `aud` (a string, or an array) must be or contain this, else `invalid_token`; empty: not checked"));
  public static final Setting<Integer> JWT_MAX_LIFETIME_S = declare(Setting.integer("JWT_MAX_LIFETIME_S", 86400, 0,
      315_360_000, "a token whose `exp` is more than this many seconds after its `iat`, or from now, is refused "
          + "(`invalid_token`): long-lived tokens are not accepted; `0`: no limit (`exp` is required anyway)"));
  public static final Setting<String> JWKS_URL = declare(Setting.matching("JWKS_URL", "", "|https?://\\S+",
      "an http:// or https:// URL", "a JSON Web Key Set (`{\"keys\":[...]}`) whose signing keys verify tokens too, "
          + "besides `JWT_KEY` (authentication is then on); fetched at start, every `JWKS_REFRESH_S` and on a token "
          + "whose `kid` it lacks (at most once per 10 s): keys rotate without a restart. A node that cannot fetch it "
          + "starts anyway and refuses tokens that only its keys could verify until it can"));
  public static final Setting<Integer> JWKS_REFRESH_S = declare(Setting.integer("JWKS_REFRESH_S", 300, 10, 86_400,
      "seconds between two fetches of `JWKS_URL`"));
  public static final Setting<String> AUTH_PROXY_URL = declare(Setting.matching("AUTH_PROXY_URL", "",
      "|https?://\\S+", "an http:// or https:// URL", "your backend's authorization endpoint: every `hello` (and the "
          + "bridge's identity claim) and every `join` is POSTed there and its answer decides who connects, as whom, "
          + "and who joins which room ([docs/PROTOCOL.md](docs/PROTOCOL.md#authorization-proxy)); empty: off"));
  public static final Setting<String> AUTH_PROXY_SECRET = declare(Setting.text("AUTH_PROXY_SECRET", "", true,
      "sent to `AUTH_PROXY_URL` as `Authorization: Bearer <secret>`, so that the backend knows the caller is Parley; "
          + "empty: no such header"));
  public static final Setting<Integer> AUTH_PROXY_TIMEOUT_MS = declare(Setting.integer("AUTH_PROXY_TIMEOUT_MS", 2000,
      10, 60_000, "how long a request to `AUTH_PROXY_URL` may take before `AUTH_PROXY_FAIL` applies"));
  public static final Setting<String> AUTH_PROXY_FAIL = declare(Setting.matching("AUTH_PROXY_FAIL", "deny",
      "deny|allow", "deny or allow", "when `AUTH_PROXY_URL` is down, too slow, or answers anything but a 200 with a "
          + "JSON body: `deny` refuses the `hello` or `join` (`denied`); `allow` lets Parley's own rules decide, as "
          + "without a proxy"));
  public static final Setting<Integer> AUTH_PROXY_CACHE_S = declare(Setting.integer("AUTH_PROXY_CACHE_S", 30, 0,
      86_400, "how long a node reuses an answer of `AUTH_PROXY_URL` for the same request; `0`: every one is asked"));
  public static final Setting<Integer> AUTH_PROXY_CACHE_MAX = declare(Setting.integer("AUTH_PROXY_CACHE_MAX", 10000, 1,
      10_000_000, "most answers of `AUTH_PROXY_URL` a node keeps (the oldest goes first)"));
  public static final Setting<Integer> MAX_EDIT_AGE_S = declare(Setting.integer("MAX_EDIT_AGE_S", 900, 0, 31_622_400,
      "how long after sending it a user may still edit or delete their message, in seconds; `0`: no limit "
          + "(moderators delete any message at any time)"));
  public static final Setting<Integer> REACTIONS_PER_MESSAGE_MAX = declare(Setting.integer("REACTIONS_PER_MESSAGE_MAX",
      20, 1, 1000, "most different emoji one message may carry (`too_many_reactions` past it)"));
  public static final Setting<Integer> REACTIONS_PER_USER_MAX = declare(Setting.integer("REACTIONS_PER_USER_MAX", 5, 1,
      1000, "most emoji one user may put on one message"));
  public static final Setting<Boolean> TCP_BRIDGE_ENABLED = declare(Setting.flag("TCP_BRIDGE_ENABLED", false,
      "open the TCP event-bus bridge, for clients in any language "
          + "([Bridge from another language](#bridge-from-another-language))"));
  public static final Setting<Integer> TCP_BRIDGE_PORT = declare(Setting.integer("TCP_BRIDGE_PORT", 7000, 0, 65535,
      "its port, on `HTTP_HOST`; `0` picks a free one"));
  public static final Setting<String> TCP_BRIDGE_AUTH = declare(Setting.matching("TCP_BRIDGE_AUTH", "none",
      "none|required", "`none` or `required`", "`required`: a connection's first frame must be an `auth` frame "
          + "carrying one of the `API_KEYS` or a JWT (with `JWT_KEY` or `JWKS_URL`), else it is closed; `none`: trusted "
          + "clients only ([Bridge from another language](#bridge-from-another-language))"));
  public static final Setting<Integer> TCP_BRIDGE_AUTH_TIMEOUT_MS = declare(Setting.integer(
      "TCP_BRIDGE_AUTH_TIMEOUT_MS", 5000, 100, 600_000,
      "with `TCP_BRIDGE_AUTH` `required`: how long a new connection has to authenticate before it is closed"));
  public static final Setting<String> TCP_BRIDGE_TLS_CERT = declare(Setting.text("TCP_BRIDGE_TLS_CERT", "", true,
      "a PEM certificate chain: the TCP bridge then speaks TLS only (with `TCP_BRIDGE_TLS_KEY`); empty: plain TCP"));
  public static final Setting<String> TCP_BRIDGE_TLS_KEY = declare(Setting.text("TCP_BRIDGE_TLS_KEY", "", true,
      "the PEM private key of `TCP_BRIDGE_TLS_CERT`"));
  public static final Setting<List<String>> API_KEYS = declare(Setting.secrets("API_KEYS", 16,
      "comma-separated keys of the server API at `/api/v1` (and of the TCP bridge's `auth` frame), each at least 16 "
          + "characters; a backend sends one as `Authorization: Bearer <key>`; empty: no server API "
          + "([For backend developers](#for-backend-developers))"));
  public static final Setting<Integer> API_PORT = declare(Setting.integer("API_PORT", 0, 0, 65535,
      "serve the server API on this port, on `API_HOST`, and not on `HTTP_PORT` (keep it off the public balancer); "
          + "`0`: on `HTTP_PORT`"));
  public static final Setting<String> API_HOST = declare(Setting.text("API_HOST", "0.0.0.0", true,
      "interface the `API_PORT` server binds"));
  public static final Setting<Integer> API_BODY_MAX = declare(Setting.integer("API_BODY_MAX", 65536, 1024,
      16 * 1024 * 1024, "largest request body the server API reads, in bytes (larger: 413)"));
  public static final Setting<String> WEBHOOK_URL = declare(Setting.matching("WEBHOOK_URL", "", "|https?://\\S+",
      "an http(s) URL or empty", "receives every room event (message, edit, delete, react, moderation, join, leave) "
          + "as a signed JSON POST, in order per room, at least once, queued durably "
          + "([Webhooks](docs/INTEGRATION.md#webhooks)); empty: no webhooks"));
  public static final Setting<String> WEBHOOK_SECRET = declare(Setting.text("WEBHOOK_SECRET", "", true,
      "the key of each webhook's `Parley-Signature` (HMAC-SHA256 of `timestamp.body`); required with `WEBHOOK_URL`"));
  public static final Setting<Integer> WEBHOOK_TIMEOUT_MS = declare(Setting.integer("WEBHOOK_TIMEOUT_MS", 5000, 100,
      300_000, "how long a webhook POST may take before it counts as failed and is retried"));
  public static final Setting<Integer> WEBHOOK_RETRY_FIRST_MS = declare(Setting.integer("WEBHOOK_RETRY_FIRST_MS", 500,
      10, 3_600_000, "the wait before a failed webhook's first retry; each next one waits twice as long"));
  public static final Setting<Integer> WEBHOOK_RETRY_MAX_MS = declare(Setting.integer("WEBHOOK_RETRY_MAX_MS", 60_000,
      10, 86_400_000, "the longest wait between two tries of a webhook (they go on until it is delivered)"));
  public static final Setting<Integer> WEBHOOK_CONCURRENCY = declare(Setting.integer("WEBHOOK_CONCURRENCY", 16, 1,
      1024, "webhook POSTs a node has in flight at once, each for another room (a room's own are one at a time)"));
  public static final Setting<Integer> WEBHOOK_QUEUE_MAX = declare(Setting.integer("WEBHOOK_QUEUE_MAX", 100_000, 1,
      100_000_000, "most webhooks waiting for delivery; past it new room events are not queued (counted in "
          + "`parley_webhooks_dropped_total`, logged)"));
  public static final Setting<Boolean> METRICS_ENABLED = declare(Setting.flag("METRICS_ENABLED", true,
      "Vert.x's and Parley's metrics at `/metrics` (Prometheus)"));
  public static final Setting<Boolean> METRICS_EVENT_BUS = declare(Setting.flag("METRICS_EVENT_BUS", false,
      "with `METRICS_ENABLED`, also Vert.x's event-bus meters (`vertx_eventbus_*`, by address): Vert.x looks them up "
          + "for every message and reply, a few percent of a busy node's CPU"));
  public static final Setting<Integer> METRICS_PORT = declare(Setting.integer("METRICS_PORT", 0, 0, 65535,
      "serve `/metrics` on this port, on `METRICS_HOST`, and not on `HTTP_PORT`; `0`: on `HTTP_PORT`, with the page"));
  public static final Setting<String> METRICS_HOST = declare(Setting.text("METRICS_HOST", "127.0.0.1", true,
      "interface the `METRICS_PORT` server binds (`0.0.0.0` where a scraper on another host must reach it)"));
  public static final Setting<String> NODE_NAME = declare(Setting.text("NODE_NAME", "", true,
      "the node's name in every log line; empty: the host name"));
  public static final Setting<Boolean> NATIVE_TRANSPORT = declare(Setting.flag("NATIVE_TRANSPORT", true,
      "use Netty's epoll transport on Linux x86-64 (cheaper socket writes, see "
          + "[docs/BENCHMARKS.md](docs/BENCHMARKS.md)); elsewhere, or if it does not load, Java NIO. The start-up "
          + "log says which"));

  /** Every key, in the order of the README's table. */
  public static final List<Setting<?>> ALL = Collections.unmodifiableList(DECLARED);

  private Settings() {
  }

  private static <T> Setting<T> declare(Setting<T> setting) {
    DECLARED.add(setting);
    return setting;
  }

  /** Every key's name: the environment store reads only these. */
  public static List<String> names() {
    return ALL.stream().map(Setting::name).toList();
  }
}
