package io.parley.bridge;

import io.parley.NodeStatus;
import io.parley.bus.Addresses;
import io.parley.chat.SerialQueue;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.http.ConnectionLimiter;
import io.parley.protocol.CloseCodes;
import io.parley.session.TokenBucket;
import io.parley.session.RoomFanout;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BaseBridgeEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's events, per socket. A socket is a connection of the chat service like a {@code /ws} one: every
 * request it sends is stamped with its own connection id (whatever the client wrote there), so the chat service
 * attributes it to the nick this socket joined with and checks its rooms. Registering a room address starts the
 * node's ordered relay of that room; closing the socket releases its nick, its rooms and its relays.
 *
 * <p>A socket's events take effect in the order it sent them, and a registration's relay gets its baseline before
 * the socket's next event: a client that registers a room and then joins it misses nothing after its join. Which addresses
 * are allowed at all is the bridge's permission check ({@link ChatBridge#permissions}), which runs after this.
 *
 * <p>Transport-neutral: the SockJS bridge ({@link ChatBridge}) and the TCP bridge ({@link TcpBridgeVerticle}) hand
 * each event here with its socket wrapped as a {@link BridgeSocket}. One instance per verticle; its sockets'
 * events all run on that verticle's event loop.
 */
public final class BridgeConnections {

  private static final Logger log = LoggerFactory.getLogger(BridgeConnections.class);

  private final Vertx vertx;
  private final RoomFanout fanout;
  private final ConnectionLimiter limiter;
  private final ParleyConfig config;
  private final NodeStatus status;
  private final ParleyMetrics metrics;
  private final Map<Object, Connection> connections = new HashMap<>(); // by the transport's own socket

  public BridgeConnections(Vertx vertx, RoomFanout fanout, ConnectionLimiter limiter, ParleyConfig config,
      NodeStatus status, ParleyMetrics metrics) {
    this.metrics = metrics;
    this.status = status;
    this.vertx = vertx;
    this.fanout = fanout;
    this.limiter = limiter;
    this.config = config;
  }

  /** Handles one bridge event of {@code socket}, and completes it: true lets the bridge go on. */
  public void handle(BaseBridgeEvent event, BridgeSocket socket) {
    if (!socket.announcesLifecycle() && !connections.containsKey(socket.key())) {
      // The TCP bridge tells of no new or closed sockets: a socket is new at its first event.
      if (!created(socket)) {
        socket.close(CloseCodes.SERVICE_RESTART, "refused");
        event.complete(false);
        return;
      }
      socket.onClose(() -> closed(socket));
    }
    switch (event.type()) {
      case SOCKET_CREATED -> event.complete(created(socket));
      case SEND -> inOrder(event, socket, (connection, e) -> stampConnection(connection, e, socket));
      case REGISTER -> register(event, socket);
      case UNREGISTER -> inOrder(event, socket, this::stopRelay);
      case SOCKET_CLOSED -> {
        closed(socket);
        event.complete(true);
      }
      // The page never publishes: a published request would have no answer to carry its refusal.
      case PUBLISH -> event.complete(false);
      case RECEIVE -> event.complete(deliverable(event, socket));
      case SOCKET_ERROR -> {
        failed(event, socket);
        event.complete(true);
      }
      // REGISTERED, SOCKET_PING, SOCKET_IDLE (closes it).
      default -> event.complete(true);
    }
  }

  /** How many sockets this instance holds. */
  public int size() {
    return connections.size();
  }

  /** Runs {@code step} after the socket's earlier events, then lets the bridge go on (true) or refuse (false). */
  private void inOrder(BaseBridgeEvent event, BridgeSocket socket,
      BiFunction<Connection, BaseBridgeEvent, Future<Boolean>> step) {
    Connection connection = connections.get(socket.key());
    if (connection == null) {
      event.complete(false);
      return;
    }
    connection.events.run(() -> connection.closed ? Future.succeededFuture(false) : step.apply(connection, event))
        .onComplete(done -> event.complete(done.succeeded() && done.result()));
  }

  /** Counts the socket against its address's limit (refused: the bridge closes it) and bounds its way out. */
  private boolean created(BridgeSocket socket) {
    if (status.draining()) {
      return false; // shutting down: the client goes to another node
    }
    String address = socket.clientAddress(limiter);
    if (!limiter.tryAcquire(address)) {
      metrics.dropped(ParleyMetrics.DropReason.CONNECTION_LIMIT);
      return false;
    }
    metrics.connectionOpened(true);
    socket.setWriteQueueMaxSize(config.outboundQueueBytes());
    connections.put(socket.key(), new Connection(socket, address,
        new TokenBucket(config.rateLimitPerS(), config.rateLimitBurst(), System.nanoTime())));
    return true;
  }

  /**
   * The connection id, not the client, says who sends: the chat service knows this socket by it. Past the rate
   * limit, the request is marked so that the chat service refuses it ({@code rate_limited}) through the reply.
   */
  private Future<Boolean> stampConnection(Connection connection, BaseBridgeEvent event, BridgeSocket socket) {
    JsonObject raw = event.getRawMessage();
    if (Addresses.BRIDGE_INBOUND.contains(raw.getString("address"))) {
      JsonObject fields = raw.getValue("body") instanceof JsonObject body ? body : new JsonObject();
      fields.put("conn", connection.id).remove("limited");
      if (!connection.rate.tryTake(System.nanoTime())) {
        fields.put("limited", true);
        metrics.dropped(ParleyMetrics.DropReason.RATE_LIMITED);
      }
      raw.put("body", fields);
      if (!socket.bridgeLimitsHandlers()) {
        // The TCP bridge takes its delivery options from the client's headers: the node's timeout, not theirs.
        raw.put("headers", new JsonObject().put("timeout", config.requestTimeoutMs()));
      }
      connection.spoke = true;
    }
    return Future.succeededFuture(true); // other addresses: the permission check refuses them
  }

  /**
   * Lets the bridge register at once (its count of a socket's registrations is only right if it does), and starts
   * the room's relay; the socket's later events (its join) wait until the relay has its baseline.
   */
  private void register(BaseBridgeEvent event, BridgeSocket socket) {
    Connection connection = connections.get(socket.key());
    String room = Addresses.roomOf(event.getRawMessage().getString("address"));
    if (connection != null && room != null && !socket.bridgeLimitsHandlers()
        && (connection.relayed.contains(room) || connection.relayed.size() >= config.bridgeMaxHandlers())) {
      // For a bridge without limits of its own (TCP): BRIDGE_MAX_HANDLERS, and no second registration of an
      // address (the TCP bridge would replace its consumer without unregistering the first, for good).
      event.complete(false);
      return;
    }
    // Not a room address, or one already registered: the bridge refuses it next; nothing to relay.
    if (connection != null && !connection.closed && room != null && connection.relayed.add(room)) {
      Future<Void> relayed = fanout.relay(room);
      connection.events.run(() -> relayed.recover(failure -> {
        log.warn("no baseline yet for room {}, relayed to a bridge client; its messages wait for one: {}", room,
            failure.toString());
        return Future.succeededFuture();
      }));
    }
    event.complete(connection != null);
  }

  private Future<Boolean> stopRelay(Connection connection, BaseBridgeEvent event) {
    String room = Addresses.roomOf(event.getRawMessage().getString("address"));
    if (room != null && connection.relayed.remove(room)) {
      fanout.unrelay(room);
    }
    return Future.succeededFuture(true);
  }

  /**
   * An outbound frame is about to be written. While the socket's queue is full (the XHR transports queue per
   * session; SockJS's WebSocket transport writes through and never reports full), presence and typing are
   * dropped; messages and answers that add as much again close it as a slow consumer (4001).
   */
  private boolean deliverable(BaseBridgeEvent event, BridgeSocket socket) {
    Connection connection = connections.get(socket.key());
    if (connection == null || !socket.writeQueueFull()) {
      if (connection != null) {
        connection.overflow = 0;
      }
      return true;
    }
    JsonObject body = event.getRawMessage().getValue("body") instanceof JsonObject frame ? frame : null;
    String type = body == null ? null : body.getString("type");
    if ("presence".equals(type) || "typing".equals(type)) {
      metrics.dropped(ParleyMetrics.DropReason.QUEUE_FULL);
      return false;
    }
    connection.overflow += event.getRawMessage().encode().length();
    if (connection.overflow > config.outboundQueueBytes() && !connection.closed) {
      log.info("closing bridge socket {} from {} as a slow consumer", connection.id, connection.address);
      connection.closed = true;
      metrics.dropped(ParleyMetrics.DropReason.SLOW_CONSUMER);
      socket.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
      return false;
    }
    return true;
  }

  /**
   * The bridge forgets a socket's registrations after an error on it but leaves it open, and would ignore all it
   * sends from then on: close it, so that the client knows and reconnects. A message over WS_MAX_FRAME_SIZE (which
   * Vert.x drops) closes with 1009, as on /ws; anything else with 1011.
   */
  private void failed(BaseBridgeEvent event, BridgeSocket socket) {
    String message = event.getRawMessage() == null ? null : event.getRawMessage().getString("message");
    boolean tooBig = message != null && message.contains("max message size");
    Connection connection = connections.get(socket.key());
    log.debug("closing bridge socket {}: {}", connection == null ? "?" : connection.id, message);
    socket.close(tooBig ? CloseCodes.MESSAGE_TOO_BIG : CloseCodes.INTERNAL_ERROR,
        tooBig ? "message too large" : "socket error");
  }

  /**
   * For a bridge that reports no outbound frames (TCP): closes, as slow consumers (4001 where the transport has
   * codes), the sockets whose write queue was full at this sweep and at the one before. Call it periodically.
   */
  public void sweepSlowConsumers() {
    for (Connection connection : List.copyOf(connections.values())) {
      boolean full = connection.socket.writeQueueFull();
      if (full && connection.fullAtLastSweep && !connection.closed) {
        log.info("closing bridge socket {} from {} as a slow consumer", connection.id, connection.address);
        connection.closed = true;
        metrics.dropped(ParleyMetrics.DropReason.SLOW_CONSUMER);
        connection.socket.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
      }
      connection.fullAtLastSweep = full;
    }
  }

  /** The node is stopping: every socket is closed, so that its client reconnects (to another node) and resumes. */
  public void closeAll() {
    List.copyOf(connections.values())
        .forEach(connection -> connection.socket.close(CloseCodes.SERVICE_RESTART, "node shutting down"));
  }

  private void closed(BridgeSocket socket) {
    Connection connection = connections.remove(socket.key());
    if (connection == null) {
      return;
    }
    limiter.release(connection.address);
    metrics.connectionClosed(true);
    connection.closed = true;
    connection.relayed.forEach(fanout::unrelay);
    connection.relayed.clear();
    if (connection.spoke) {
      vertx.eventBus().send(Addresses.DISCONNECT, new JsonObject().put("conn", connection.id));
    }
    log.debug("bridge socket {} from {} closed", connection.id, connection.address);
  }

  /** One bridge socket, as this node knows it. */
  private static final class Connection {
    final String id = UUID.randomUUID().toString();
    final BridgeSocket socket;
    final String address;
    final TokenBucket rate;
    /** Characters of outbound frames let through while the socket's queue was full. */
    long overflow;
    /** Rooms whose relay this socket holds (one per registered room address). */
    final Set<String> relayed = new HashSet<>();
    /** Whether it sent a chat request, so the chat service has something to forget when it closes. */
    boolean spoke;
    boolean closed;
    /** For {@link #sweepSlowConsumers()}. */
    boolean fullAtLastSweep;
    final SerialQueue events = new SerialQueue();

    Connection(BridgeSocket socket, String address, TokenBucket rate) {
      this.socket = socket;
      this.address = address;
      this.rate = rate;
    }
  }
}
