package io.parley.connection;

import io.parley.bus.LocalCodec;
import io.parley.common.ConnectionLimiter;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.fanout.RoomFanout;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameParser;
import io.parley.node.NodeStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.parley.bus.Addresses;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one verticle (an HTTP verticle instance, the TCP bridge), whatever their transport: who may
 * connect ({@link #admit}: not while the node drains, not past {@code MAX_CONNECTIONS_PER_IP}), the connections
 * open now, their heartbeat, and their closing when the node stops. Holds what every {@link Connection} needs of
 * the node. Confined to the verticle's event loop.
 */
public final class Connections {

  /** How many times per {@code HEARTBEAT_INTERVAL_MS} (at most once a second) connections are asked to ping. */
  static final int HEARTBEAT_TICKS = 10;

  private static final Logger log = LoggerFactory.getLogger(Connections.class);

  final Vertx vertx;
  final ParleyConfig config;
  final RoomFanout fanout;
  final ParleyMetrics metrics;
  final DeliveryOptions requests;
  final FrameParser parser;
  private final NodeStatus status;
  private final ConnectionLimiter limiter;
  private final Set<Connection> open = new HashSet<>();
  /** The identified connections, by user: where that user's frames go. */
  private final Map<String, Set<Connection>> byNick = new HashMap<>();
  private MessageConsumer<JsonObject> userFrames;
  private long heartbeats = -1;

  public Connections(Vertx vertx, ParleyConfig config, RoomFanout fanout, NodeStatus status,
      ConnectionLimiter limiter, ParleyMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.fanout = fanout;
    this.status = status;
    this.limiter = limiter;
    this.metrics = metrics;
    this.requests = LocalCodec.options().setSendTimeout(config.get(Settings.REQUEST_TIMEOUT_MS));
    this.parser = new FrameParser(config.get(Settings.MAX_TEXT_LENGTH), config.get(Settings.HISTORY_PAGE_MAX),
        config.get(Settings.ROOMS_PAGE_MAX), config.get(Settings.MEMBERS_PAGE_SIZE));
  }

  /**
   * Why a client may not connect: the HTTP status that says it to a {@code /ws} upgrade, and the close code that
   * says it to a bridge socket, opened already.
   */
  public enum Refusal {
    /** The node is shutting down: connect to another. */
    DRAINING(503, CloseCodes.SERVICE_RESTART),
    /** The client's address holds {@code MAX_CONNECTIONS_PER_IP} connections already. */
    TOO_MANY(429, CloseCodes.POLICY_VIOLATION);

    public final int httpStatus;
    public final short closeCode;

    Refusal(int httpStatus, short closeCode) {
      this.httpStatus = httpStatus;
      this.closeCode = closeCode;
    }
  }

  /** A client's leave to connect, or why not ({@code refusal}); an admitted one is counted until it ends. */
  public record Admission(String clientAddress, Refusal refusal) {
    public boolean admitted() {
      return refusal == null;
    }

    /** What a refused client is told. */
    public String reason() {
      return refusal == Refusal.DRAINING ? "node shutting down; connect to another"
          : "too many connections from " + clientAddress;
    }
  }

  /**
   * Whether a client at {@code clientAddress} may connect: not while the node drains (the client goes to another
   * node), nor past {@code MAX_CONNECTIONS_PER_IP}. An admission that does not become a connection must be
   * {@link #release}d.
   */
  public Admission admit(String clientAddress) {
    if (status.draining()) {
      return new Admission(clientAddress, Refusal.DRAINING);
    }
    if (!limiter.tryAcquire(clientAddress)) {
      metrics.dropped(ParleyMetrics.DropReason.CONNECTION_LIMIT);
      return new Admission(clientAddress, Refusal.TOO_MANY);
    }
    return new Admission(clientAddress, null);
  }

  public void release(Admission admission) {
    if (admission.admitted()) {
      limiter.release(admission.clientAddress());
    }
  }

  /**
   * Gives an admitted client's socket its connection: {@code transport} adapts the socket, {@code wire} sets its
   * handlers (data to the protocol adapter, close and failures to the connection). The connection is let go of when
   * it closes. If either step fails (a bug), the admission is released, or the connection closed with 1011, and
   * {@code abandon} closes a socket left without a connection; null is returned then.
   */
  public Connection accept(Admission admission, Supplier<Transport> transport, Consumer<Connection> wire,
      Runnable abandon) {
    Connection connection;
    try {
      connection = new Connection(transport.get(), this, admission.clientAddress(), () -> release(admission));
    } catch (RuntimeException e) {
      log.error("could not serve a connection from {}", admission.clientAddress(), e);
      release(admission);
      abandon.run();
      return null;
    }
    open.add(connection);
    metrics.connectionOpened(connection.kind() == Transport.Kind.BRIDGE);
    try {
      wire.accept(connection);
    } catch (RuntimeException e) {
      connection.crashed(e);
      return null;
    }
    return connection;
  }

  /** A room just became restricted: the connections here that follow it and are not on its list stop. */
  private void restricted(JsonObject frame) {
    String room = frame.getString("room");
    List<?> members = frame.getJsonArray("members").getList();
    List.copyOf(open).stream().filter(c -> c.follows(room) && !members.contains(c.nick()))
        .forEach(c -> c.unfollow(room));
  }

  void identified(Connection connection) {
    byNick.computeIfAbsent(connection.nick(), nick -> new HashSet<>()).add(connection);
  }

  /** Called by a connection once it has let go of everything. */
  void closed(Connection connection) {
    if (connection.nick() != null) {
      Set<Connection> ofUser = byNick.get(connection.nick());
      if (ofUser != null && ofUser.remove(connection) && ofUser.isEmpty()) {
        byNick.remove(connection.nick());
      }
    }
    if (open.remove(connection)) {
      metrics.connectionClosed(connection.kind() == Transport.Kind.BRIDGE);
    }
  }

  /**
   * Starts listening for user frames ({@link Addresses#USERS}), and the heartbeat: one timer for all these connections, not one per connection. Each pings when its turn is
   * due, so pings are spread over the interval. Call on the verticle's context.
   */
  public Future<Void> start() {
    userFrames = vertx.eventBus().consumer(Addresses.USERS, message -> {
      JsonObject body = message.body();
      if (body.getString("nick") == null) {
        restricted(body.getJsonObject("frame"));
        return;
      }
      Set<Connection> ofUser = byNick.get(body.getString("nick"));
      if (ofUser != null) {
        String except = body.getString("except");
        JsonObject frame = body.getJsonObject("frame");
        String json = frame.encode(); // once, for all the user's connections here
        List.copyOf(ofUser).stream().filter(c -> !c.id().equals(except)).forEach(c -> c.onUserFrame(frame, json));
      }
    });
    startHeartbeat();
    return userFrames.completion();
  }

  private void startHeartbeat() {
    long tick = Math.max(1, Math.min(1000, config.get(Settings.HEARTBEAT_INTERVAL_MS) / HEARTBEAT_TICKS));
    heartbeats = vertx.setPeriodic(tick, id -> {
      long now = System.nanoTime();
      List.copyOf(open).forEach(connection -> connection.heartbeat(now));
    });
  }

  /**
   * Closes every connection with 1012 (service restart), so that their clients reconnect, to another node, rather
   * than discover a dead socket; completes once all are let go of (within {@code WS_CLOSING_TIMEOUT_S}).
   */
  public Future<Void> shutdown() {
    vertx.cancelTimer(heartbeats);
    if (userFrames != null) {
      userFrames.unregister();
    }
    return closeAll("the node is shutting down");
  }

  /** Closes every connection with 1012, saying {@code why}; the node goes on serving new ones. */
  public Future<Void> closeAll(String why) {
    if (!open.isEmpty()) {
      log.info("closing {} connections: {}", open.size(), why);
    }
    return Future.join(List.copyOf(open).stream()
        .map(connection -> connection.close(CloseCodes.SERVICE_RESTART, why))
        .toList()).mapEmpty();
  }

  /** This node's id, as {@code welcome} names it. */
  public String nodeId() {
    return status.nodeId();
  }

  public int size() {
    return open.size();
  }
}
