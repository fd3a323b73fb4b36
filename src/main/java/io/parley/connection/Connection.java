package io.parley.connection;

import io.parley.bus.Addresses;
import io.parley.bus.Caller;
import io.parley.bus.ChatRequest;
import io.parley.common.LogThrottle;
import io.parley.common.TokenBucket;
import io.parley.config.Settings;
import io.parley.fanout.RoomEvent;
import io.parley.fanout.RoomListener;
import io.parley.metrics.ParleyMetrics.DropReason;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameParser;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, whatever its transport: the connection core. Each protocol adapter ({@code ws.WsSession}
 * for {@code /ws}, {@code bridge.BridgeSession} for both bridges) turns what its client sends into the calls below,
 * and its {@link Transport} carries what the connection writes. The rules of a connection live here, once for every
 * transport:
 * <ul>
 *   <li>the rate limit ({@code RATE_LIMIT_PER_S}, {@link #overLimit}), and a flood past it closed (1008);</li>
 *   <li>its requests to the chat service, attributed to it ({@link #ask});</li>
 *   <li>the rooms it follows and which of their events reach it ({@link RoomCursor});</li>
 *   <li>backpressure: while the transport is not writable, presence and typing are dropped; messages and answers
 *       past another {@code OUTBOUND_QUEUE_BYTES} close it as a slow consumer (4001);</li>
 *   <li>the heartbeat: silent for {@code HEARTBEAT_TIMEOUT_MS}, it is closed (4000);</li>
 *   <li>a message over {@code WS_MAX_FRAME_SIZE} closes it (1009);</li>
 *   <li>closing: a close code, and the TCP connection dropped after {@code WS_CLOSING_TIMEOUT_S} if the client does
 *       not finish the close; then everything it holds is released once, and the chat service told.</li>
 * </ul>
 * Confined to the event loop of its socket.
 */
public final class Connection implements RoomListener {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** What clients cause is logged a few times a minute at most (a flood of clients must not flood the log). */
  private static final LogThrottle SLOW_CONSUMERS = LogThrottle.perMinute(10);
  private static final LogThrottle FLOODS = LogThrottle.perMinute(10);

  private enum State {
    OPEN, CLOSING, CLOSED
  }

  private final String id = UUID.randomUUID().toString();
  private final Transport transport;
  private final Connections env;
  private final String clientAddress;
  private final Runnable onRelease;
  private final TokenBucket rate;
  /** Requests refused by the rate limit within the second that began at {@code refusedSince}. */
  private int refusedInARow;
  private long refusedSince = System.nanoTime();
  private final Map<String, RoomCursor> rooms = new HashMap<>();
  private final Promise<Void> released = Promise.promise();
  private final Heartbeat heartbeat;
  private final Outbound outbound;
  private State state = State.OPEN;
  private String nick;
  /** Whether its user's frames reach it: always on {@code /ws}, once a bridge socket registered {@code chat.user}. */
  private boolean hearsUser;
  /** Whether the chat service knows this connection (it asked something), and so must hear that it went away. */
  private boolean known;

  Connection(Transport transport, Connections env, String clientAddress, Runnable onRelease) {
    this.transport = transport;
    this.env = env;
    this.clientAddress = clientAddress;
    this.onRelease = onRelease;
    long now = System.nanoTime();
    this.rate = new TokenBucket(env.config.get(Settings.RATE_LIMIT_PER_S), env.config.get(Settings.RATE_LIMIT_BURST), now);
    this.heartbeat = new Heartbeat(TimeUnit.MILLISECONDS.toNanos(env.config.get(Settings.HEARTBEAT_INTERVAL_MS)),
        TimeUnit.MILLISECONDS.toNanos(env.config.get(Settings.HEARTBEAT_TIMEOUT_MS)), now);
    this.outbound = new Outbound(transport, env.config.get(Settings.OUTBOUND_QUEUE_BYTES), env.metrics,
        this::tooFarBehind);
    this.hearsUser = transport.kind() == Transport.Kind.WS;
  }

  public String id() {
    return id;
  }

  Transport.Kind kind() {
    return transport.kind();
  }

  /** The nick the chat service gave this connection, or null before. */
  public String nick() {
    return nick;
  }

  public void identified(String nick) {
    if (this.nick == null && nick != null) {
      this.nick = nick;
      env.identified(this);
    }
  }

  /** From now on, its user's frames reach this connection ({@link #onUserFrame}), or no longer. */
  public void hearUser(boolean hears) {
    hearsUser = hears;
  }

  /**
   * A frame for this connection's user. A removal from a room stops the room's events here at once, whatever the
   * transport; the frame itself is written if the client listens for them.
   */
  void onUserFrame(io.vertx.core.json.JsonObject frame, String json) {
    if (state != State.OPEN) {
      return;
    }
    if ("disconnect".equals(frame.getString("type"))) { // the backend's, through the server API: not written
      close(CloseCodes.DISCONNECTED, frame.getString("reason", "disconnected by the server"));
      return;
    }
    if ("removed".equals(frame.getString("type"))) {
      unfollow(frame.getString("room"));
    }
    if (hearsUser) {
      send(transport.userFrame(json));
    }
  }

  public boolean isOpen() {
    return state == State.OPEN;
  }

  /** The protocol's rules, with this node's limits, for the adapter to check what its client sends. */
  public FrameParser parser() {
    return env.parser;
  }

  // ---- inbound --------------------------------------------------------------------------------------------------

  /** Something arrived from the client: a frame, a pong, a ping. */
  public void heard() {
    heartbeat.heard(System.nanoTime());
  }

  /**
   * Takes one request's worth of the rate limit: null if the request may go on, else the refusal to answer
   * ({@code rate_limited}: it was not handled). Every transport asks it before anything else is done for a request,
   * so over-limit work costs nothing more; {@code RATE_LIMIT_CLOSE_AFTER} refusals within one second close the connection.
   */
  public ProtocolException overLimit(String ref) {
    long now = System.nanoTime();
    if (rate.tryTake(now)) {
      return null;
    }
    env.metrics.dropped(DropReason.RATE_LIMITED);
    if (now - refusedSince >= 1_000_000_000L) {
      refusedSince = now;
      refusedInARow = 0;
    }
    if (++refusedInARow >= env.config.get(Settings.RATE_LIMIT_CLOSE_AFTER) && state == State.OPEN) {
      long left = FLOODS.admit();
      if (left >= 0) {
        log.info("closing {} with 1008: {} frames over the rate limit in a second{}", describe(), refusedInARow,
            LogThrottle.note(left));
      }
      close(CloseCodes.POLICY_VIOLATION, "rate limit: flooding");
    }
    return new ProtocolException(ErrorCode.RATE_LIMITED, "at most " + env.config.get(Settings.RATE_LIMIT_PER_S)
        + " requests per second (bursts of " + env.config.get(Settings.RATE_LIMIT_BURST) + "); this one was not handled",
        ref);
  }

  /** Asks the chat service, as this connection; a refusal fails with the service's {@code ReplyException}. */
  public <T> Future<T> ask(ClientFrame frame) {
    return ask(frame, Caller.of(id, clientAddress, transport.protocol()));
  }

  /** Likewise, with what the request says of who sends it ({@link Caller}: the bridge's nick and token). */
  public <T> Future<T> ask(ClientFrame frame, String claimedNick, String token) {
    return ask(frame, new Caller(id, clientAddress, transport.protocol(), claimedNick, token));
  }

  private <T> Future<T> ask(ClientFrame frame, Caller caller) {
    if (state != State.OPEN) {
      // Closing or closed: the chat service may have been told it went away; nothing more is asked in its name.
      return Future.failedFuture(ProtocolException.helloRequired());
    }
    known = true;
    return env.vertx.eventBus().<T>request(Addresses.of(frame), new ChatRequest(caller, frame), env.requests)
        .map(Message::body);
  }

  // ---- rooms ----------------------------------------------------------------------------------------------------

  /**
   * Follows a room: from the baseline on, its events reach this connection; {@code merged}: merged with the
   * snapshot of a join in flight ({@link RoomCursor#joining()}), else as they come ({@link RoomCursor#stream()}).
   * Following a room again (a resync) holds its events until that join's snapshot. Completes once the room has a
   * baseline.
   */
  public Future<Void> follow(String room, boolean merged) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("the connection is closing"));
    }
    RoomCursor cursor = rooms.get(room);
    if (cursor != null) {
      cursor.rejoin();
      return Future.succeededFuture();
    }
    rooms.put(room, merged ? RoomCursor.joining() : RoomCursor.stream());
    return env.fanout.subscribe(room, this);
  }

  public boolean follows(String room) {
    return rooms.containsKey(room);
  }

  /** A join's snapshot is written: the events held meanwhile follow it, merged ({@link RoomCursor}). */
  public void joined(String room, long lastId, long membersVersion) {
    RoomCursor cursor = rooms.get(room);
    if (cursor != null) {
      deliver(cursor.joined(lastId, membersVersion, nick));
    }
  }

  /** A join failed: a room followed for it alone is left; one followed before goes on. */
  public void joinFailed(String room, boolean followedBefore) {
    RoomCursor cursor = rooms.get(room);
    if (cursor != null && followedBefore) {
      deliver(cursor.joinFailed(nick));
    } else if (cursor != null) {
      unfollow(room);
    }
  }

  public void unfollow(String room) {
    if (rooms.remove(room) != null) {
      env.fanout.unsubscribe(room, this);
    }
  }

  /** The stored message of a repeated {@code cid}, for this connection alone, if it has not seen it. */
  public void echo(ChatMessage message) {
    RoomCursor cursor = rooms.get(message.room());
    RoomEvent event = RoomEvent.of(message.toJson());
    if (cursor != null && cursor.offerEcho(event)) {
      outbound.write(event, false);
    }
  }

  @Override
  public boolean onRoomEvent(RoomEvent event) {
    RoomCursor cursor = rooms.get(event.room());
    if (cursor == null || !cursor.offer(event, nick)) {
      return false; // left the room while the event was on its way, held for a join, or not news to it
    }
    boolean waiting = outbound.flushPending();
    outbound.write(event, true);
    return !waiting && outbound.flushPending();
  }

  @Override
  public void flush() {
    outbound.flush();
  }

  private void deliver(List<RoomEvent> events) {
    events.forEach(event -> outbound.write(event, false));
  }

  /** Writes a frame of the transport's protocol (a reply, an error), under the connection's one backpressure rule. */
  public void send(String frame) {
    outbound.send(frame);
  }

  // ---- life -----------------------------------------------------------------------------------------------------

  /** Pings when due, or closes a connection from which nothing has arrived for {@code HEARTBEAT_TIMEOUT_MS}. */
  void heartbeat(long nowNanos) {
    if (state != State.OPEN) {
      return;
    }
    Heartbeat.Verdict verdict = heartbeat.tick(nowNanos);
    if (verdict == Heartbeat.Verdict.DEAD) {
      log.debug("closing {}: nothing heard for {} ms", describe(), env.config.get(Settings.HEARTBEAT_TIMEOUT_MS));
      env.metrics.dropped(DropReason.HEARTBEAT_TIMEOUT);
      close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
    } else if (verdict == Heartbeat.Verdict.PING && transport.writable()) {
      transport.ping();
    }
  }

  /**
   * The transport failed. Vert.x drops a WebSocket message over {@code WS_MAX_FRAME_SIZE}, reports it so and leaves
   * the socket open: that closes with 1009, as the protocol promises; anything else is logged.
   */
  public void failed(Throwable failure) {
    if (failure instanceof IllegalStateException && failure.getMessage() != null
        && failure.getMessage().contains("max message size")) {
      log.debug("closing {} with 1009: {}", describe(), failure.getMessage());
      close(CloseCodes.MESSAGE_TOO_BIG, "message too large");
    } else {
      log.debug("socket error on {}: {}", describe(), failure.toString());
    }
  }

  /** A message over {@code WS_MAX_FRAME_SIZE}, which the adapter found: closes with 1009. */
  public void tooBig(long bytes) {
    log.debug("closing {} with 1009: a {}-byte message", describe(), bytes);
    close(CloseCodes.MESSAGE_TOO_BIG, "message too large");
  }

  /** A bug, not bad input: the node goes on serving everyone else, and this client reconnects. */
  public void crashed(RuntimeException e) {
    log.error("closing {} after an unexpected error", describe(), e);
    close(CloseCodes.INTERNAL_ERROR, "internal error");
  }

  /**
   * Closes with a {@link CloseCodes} code; nothing more is written. The close is queued (a slow client may still read
   * it); if the socket has not closed when {@code WS_CLOSING_TIMEOUT_S} is up, its TCP connection is dropped: a close
   * stuck behind a full queue would otherwise keep it, and what it holds, for good. Completes once the connection
   * has let go of everything (a node's shutdown waits on it).
   */
  public Future<Void> close(short code, String reason) {
    if (state == State.OPEN) {
      state = State.CLOSING;
      outbound.stop();
      transport.close(code, reason);
      env.vertx.setTimer(TimeUnit.SECONDS.toMillis(env.config.get(Settings.WS_CLOSING_TIMEOUT_S)), id -> {
        if (state != State.CLOSED) {
          transport.drop();
          closed(); // the transport tells of its close only much later after a drop: let go now
        }
      });
    }
    return released.future();
  }

  private void tooFarBehind() {
    env.metrics.dropped(DropReason.SLOW_CONSUMER);
    long left = SLOW_CONSUMERS.admit();
    if (left >= 0) {
      log.info("closing {} as a slow consumer ({} presence/typing frames dropped first){}", describe(),
          outbound.dropped(), LogThrottle.note(left));
    }
    close(CloseCodes.SLOW_CONSUMER, "slow consumer");
  }

  /** The transport closed, or was dropped: releases what the connection holds, once. */
  public void closed() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    outbound.stop();
    try {
      List.copyOf(rooms.keySet()).forEach(this::unfollow);
      if (known) {
        env.vertx.eventBus().send(Addresses.DISCONNECT, id);
      }
      log.debug("{} closed", describe());
    } finally {
      env.closed(this);
      onRelease.run(); // whatever went wrong above, the connection's slot is let go of
      released.tryComplete();
    }
  }

  public String describe() {
    return (nick == null ? "connection" : nick) + "@" + transport.remoteAddress();
  }
}
