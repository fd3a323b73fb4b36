package io.parley.session;

import io.parley.bus.Addresses;
import io.parley.bus.BusErrors;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameParser;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection at {@code /ws}: parses its frames, turns them into chat-service requests,
 * and writes room events to it. Confined to the event loop that accepted the socket.
 *
 * <p>Frames are handled in order. {@code hello} and {@code join} pause reading until they are answered,
 * so a client may pipeline {@code hello}, {@code join}, {@code send} without waiting.
 */
public final class ClientSession implements RoomListener {

  /** How many times per {@code HEARTBEAT_INTERVAL_MS} (at most once a second) sessions are asked to ping. */
  public static final int HEARTBEAT_TICKS = 10;

  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final ServerWebSocket socket;
  private final HttpConnection connection;
  private final Vertx vertx;
  private final EventBus bus;
  private final RoomFanout fanout;
  private final FrameParser parser;
  private final ParleyConfig config;
  private final String node;
  private final DeliveryOptions requestOptions;
  private final String id = UUID.randomUUID().toString();
  private final Map<String, RoomView> rooms = new HashMap<>();
  private final Outbound outbound;
  private final ParleyMetrics metrics;
  private final TokenBucket rate;
  private final long heartbeatTimeoutNanos;
  private final long heartbeatIntervalNanos;
  /**
   * When this connection's next ping is due: at a random point of the first interval, so that connections that
   * arrived together (a restart, a benchmark) are not all pinged in the same instant, and their pongs not read
   * in the same instant either (10,000 at once held a node's event loop for hundreds of milliseconds).
   */
  private long nextPing;
  private long lastHeard = System.nanoTime();
  private String nick;
  private boolean helloSent;
  private boolean closed;
  private boolean closeHandled;
  private Handler<ClientSession> whenClosed;
  private final io.vertx.core.Promise<Void> released = io.vertx.core.Promise.promise();

  public ClientSession(ServerWebSocket socket, HttpConnection connection, Vertx vertx, RoomFanout fanout,
      ParleyConfig config, String node, ParleyMetrics metrics) {
    this.metrics = metrics;
    this.socket = socket;
    this.connection = connection;
    this.vertx = vertx;
    this.node = node;
    this.bus = vertx.eventBus();
    this.fanout = fanout;
    this.config = config;
    this.parser = new FrameParser(config.maxTextLength(), config.historyPageMax());
    this.requestOptions = new DeliveryOptions().setSendTimeout(config.requestTimeoutMs());
    this.outbound = new Outbound(socket, connection, config.outboundQueueBytes(), metrics);
    this.rate = new TokenBucket(config.rateLimitPerS(), config.rateLimitBurst(), lastHeard);
    this.heartbeatTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.heartbeatTimeoutMs());
    this.heartbeatIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs());
    this.nextPing = lastHeard + java.util.concurrent.ThreadLocalRandom.current().nextLong(heartbeatIntervalNanos);
  }

  /** Wires the socket's handlers; the session lives until the socket closes, then calls {@code closed}. */
  public ClientSession start(Handler<ClientSession> closed) {
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(data -> {
      lastHeard = System.nanoTime();
      sendError(new ProtocolException(ErrorCode.BINARY_NOT_SUPPORTED, "send JSON in text frames"));
    });
    socket.pongHandler(data -> lastHeard = System.nanoTime());
    socket.exceptionHandler(this::onException);
    whenClosed = closed;
    metrics.connectionOpened(false);
    socket.closeHandler(v -> finish());
    return this;
  }

  /** Runs once, when the socket closed or was dropped: releases what the connection holds, tells its owner. */
  private void finish() {
    if (!closeHandled) {
      closeHandled = true;
      metrics.connectionClosed(false);
      try {
        onClose();
      } finally {
        whenClosed.handle(this); // the session must be let go of, whatever went wrong above
        released.tryComplete();
      }
    }
  }

  /**
   * Closes the socket with a close code from {@link CloseCodes}; completes once the session has let go of it, within
   * {@code WS_CLOSING_TIMEOUT_S} even if the client does not read (a node's shutdown waits on this).
   */
  public Future<Void> close(short code, String reason) {
    abort(code, reason);
    return released.future();
  }

  /**
   * Called often by the HTTP verticle (see {@link #HEARTBEAT_TICKS}): pings every {@code HEARTBEAT_INTERVAL_MS},
   * or closes a connection from which nothing has arrived for {@code HEARTBEAT_TIMEOUT_MS} (browsers and WebSocket
   * libraries answer pings by themselves).
   */
  public void heartbeat(long nowNanos) {
    if (closed) {
      return;
    }
    if (nowNanos - lastHeard > heartbeatTimeoutNanos) {
      log.debug("closing {}: nothing heard for {} ms", describe(), config.heartbeatTimeoutMs());
      metrics.dropped(ParleyMetrics.DropReason.HEARTBEAT_TIMEOUT);
      abort(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");
    } else if (nowNanos - nextPing >= 0) {
      nextPing = nowNanos + heartbeatIntervalNanos;
      if (outbound.hasRoom()) {
        socket.writePing(Buffer.buffer());
      }
    }
  }

  private void onText(String text) {
    lastHeard = System.nanoTime();
    try {
      handle(text);
    } catch (RuntimeException e) {
      // A bug, not bad input: keep the node serving everyone else and let this client reconnect.
      log.error("closing {} after an unexpected error", describe(), e);
      abort(CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  private void handle(String text) {
    if (isOverLimit(text)) {
      log.debug("closing {} with 1009: a {}-character frame", describe(), text.length());
      abort(CloseCodes.MESSAGE_TOO_BIG, "frame too large");
      return;
    }
    boolean allowed = rate.tryTake(lastHeard);
    ClientFrame frame;
    try {
      frame = parser.parse(text);
    } catch (ProtocolException e) {
      sendError(allowed ? e : rateLimited(e.ref()));
      return;
    }
    if (!allowed) {
      sendError(rateLimited(frame.ref())); // refused unseen: nothing it asked for happens
      return;
    }
    if (nick == null && !(frame instanceof ClientFrame.Hello)) {
      sendError(new ProtocolException(ErrorCode.HELLO_REQUIRED, "say hello first", frame.ref()));
    } else if (frame instanceof ClientFrame.Hello hello) {
      hello(hello);
    } else if (frame instanceof ClientFrame.Join join) {
      join(join);
    } else if (frame instanceof ClientFrame.Leave leave) {
      leave(leave);
    } else if (frame instanceof ClientFrame.Send send) {
      send(send);
    } else if (frame instanceof ClientFrame.Typing typing) {
      typing(typing);
    } else if (frame instanceof ClientFrame.Rooms list) {
      request(Addresses.ROOMS, new JsonObject(), list.ref())
          .onSuccess(body -> write(ServerFrames.reply("rooms", list.ref(), body)));
    } else if (frame instanceof ClientFrame.History history) {
      history(history);
    }
  }

  /** True when the text's UTF-8 form exceeds the configured frame size; counts without copying. */
  private boolean isOverLimit(String text) {
    int max = config.wsMaxFrameSize();
    if (text.length() <= max / 3) {
      return false; // at most 3 bytes per UTF-16 unit
    }
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes > max;
  }

  private void hello(ClientFrame.Hello hello) {
    if (nick != null) {
      sendError(new ProtocolException(ErrorCode.ALREADY_IDENTIFIED, "this connection is already '" + nick + "'",
          hello.ref()));
      return;
    }
    helloSent = true;
    socket.pause();
    request(Addresses.HELLO, new JsonObject().put("conn", id).put("nick", hello.nick()).put("token", hello.token()),
        hello.ref())
        .onSuccess(body -> {
          nick = body.getString("nick");
          write(ServerFrames.reply("welcome", hello.ref(), new JsonObject()
              .put("nick", nick)
              .put("node", node)
              .put("limits", limits())));
        })
        .onComplete(done -> socket.resume());
  }

  private JsonObject limits() {
    return new JsonObject()
        .put("maxFrameSize", config.wsMaxFrameSize())
        .put("maxTextLength", config.maxTextLength())
        .put("historyPageMax", config.historyPageMax());
  }

  /**
   * Subscribes to the room first and buffers its events, then asks for the snapshot: events published between
   * the two are neither lost nor duplicated (messages are filtered by id, presence by membership version).
   */
  private void join(ClientFrame.Join join) {
    String room = join.room();
    RoomView view = rooms.computeIfAbsent(room, r -> new RoomView());
    view.pending = new ArrayList<>();
    socket.pause();
    JsonObject body = new JsonObject().put("conn", id).put("room", room).put("since", join.since())
        .put("epoch", join.epoch());
    fanout.subscribe(room, this)
        .compose(v -> request(Addresses.JOIN, body, join.ref()))
        .onSuccess(reply -> joined(room, view, reply, join.ref()))
        .onFailure(failure -> {
          if (rooms.remove(room, view)) {
            fanout.unsubscribe(room, this);
          }
        })
        .onComplete(done -> socket.resume());
  }

  private void joined(String room, RoomView view, JsonObject reply, String ref) {
    view.lastId = Math.max(view.lastId, reply.getLong("lastId"));
    view.membersVersion = Math.max(view.membersVersion, reply.getLong("membersVersion"));
    write(ServerFrames.reply("joined", ref, reply));
    List<RoomEvent> buffered = view.pending;
    view.pending = null;
    buffered.forEach(event -> deliver(view, event));
  }

  private void leave(ClientFrame.Leave leave) {
    if (rooms.remove(leave.room()) == null) {
      sendError(notJoined(leave.room(), leave.ref()));
      return;
    }
    fanout.unsubscribe(leave.room(), this);
    request(Addresses.LEAVE, new JsonObject().put("conn", id).put("room", leave.room()), leave.ref())
        .onSuccess(body -> write(ServerFrames.reply("left", leave.ref(), body)));
  }

  private void send(ClientFrame.Send send) {
    if (!rooms.containsKey(send.room())) {
      sendError(notJoined(send.room(), send.ref()));
      return;
    }
    // The message itself comes back through the room like everyone else's: that is the sender's ack.
    request(Addresses.SEND, new JsonObject()
        .put("conn", id).put("room", send.room()).put("text", send.text()).put("cid", send.cid()), send.ref())
        .onSuccess(reply -> {
          if (reply.getBoolean("duplicate", false) && reply.getLong("id") != null) {
            echoStored(send.room(), reply.getLong("id"));
          }
        });
  }

  /**
   * A repeated {@code cid} was not published again. Its ack is the message the first send stored: delivered to this
   * client only, if it has not seen it (a client that retries after a reconnect may have it from its resume).
   */
  private void echoStored(String room, long messageId) {
    JsonObject range = new JsonObject().put("room", room).put("from", messageId).put("to", messageId);
    bus.<JsonObject>request(Addresses.HISTORY_RANGE, range, requestOptions).onSuccess(reply -> {
      RoomView view = rooms.get(room);
      JsonArray stored = reply.body().getJsonArray("messages");
      // Only as the very next id: anything else is the room's stream's to deliver, in order.
      if (view != null && view.pending == null && !stored.isEmpty() && messageId == view.lastId + 1) {
        deliver(view, RoomEvent.of(stored.getJsonObject(0)));
      }
    });
  }

  private void typing(ClientFrame.Typing typing) {
    if (!rooms.containsKey(typing.room())) {
      sendError(notJoined(typing.room(), typing.ref()));
      return;
    }
    bus.send(Addresses.TYPING, new JsonObject().put("conn", id).put("room", typing.room()));
  }

  private void history(ClientFrame.History history) {
    JsonObject body = new JsonObject().put("room", history.room()).put("before", history.before())
        .put("limit", history.limit());
    request(Addresses.HISTORY, body, history.ref())
        .onSuccess(reply -> write(ServerFrames.reply("history", history.ref(), reply)));
  }

  @Override
  public boolean onRoomEvent(RoomEvent event) {
    RoomView view = rooms.get(event.room());
    if (view == null) {
      return false; // left the room while the event was on its way
    }
    if (view.pending != null) {
      view.pending.add(event);
      return false;
    }
    boolean waiting = outbound.flushPending();
    deliver(view, event, true);
    return !waiting && outbound.flushPending();
  }

  @Override
  public void flush() {
    outbound.flush();
  }

  private void deliver(RoomView view, RoomEvent event) {
    deliver(view, event, false);
  }

  /** Writes an event unless this connection has it already or need not hear of it; unflushed if {@code defer}. */
  private void deliver(RoomView view, RoomEvent event, boolean defer) {
    if (event.isMessage()) {
      if (event.id() <= view.lastId) {
        return; // already in the joined snapshot
      }
      view.lastId = event.id();
    } else if (event.isPresence() && event.version() <= view.membersVersion) {
      // A change the joined snapshot's member list already shows. Later ones pass in the order they come:
      // changes of one nick come in order (one connection, one node), and changes of different nicks commute.
      return;
    } else if (event.nick().equals(nick)) {
      return; // nobody needs to be told that they themselves joined or are typing
    }
    if (!closed && !outbound.write(event, defer)) {
      closeSlowConsumer();
    }
  }

  /** Sends a request to the chat service; a refusal or a timeout is answered with an error frame. */
  private Future<JsonObject> request(String address, JsonObject body, String ref) {
    return bus.<JsonObject>request(address, body, requestOptions)
        .map(Message::body)
        .onFailure(failure -> sendError(BusErrors.toProtocolException(failure).withRef(ref)));
  }

  private ProtocolException rateLimited(String ref) {
    metrics.dropped(ParleyMetrics.DropReason.RATE_LIMITED);
    return new ProtocolException(ErrorCode.RATE_LIMITED, "at most " + config.rateLimitPerS()
        + " frames per second (bursts of " + config.rateLimitBurst() + "); this one was not handled", ref);
  }

  private static ProtocolException notJoined(String room, String ref) {
    return new ProtocolException(ErrorCode.NOT_JOINED, "join room '" + room + "' first", ref);
  }

  private void sendError(ProtocolException e) {
    write(ServerFrames.error(e));
  }

  private void write(JsonObject frame) {
    if (!closed && !outbound.write(frame.encode())) {
      closeSlowConsumer();
    }
  }

  private void closeSlowConsumer() {
    metrics.dropped(ParleyMetrics.DropReason.SLOW_CONSUMER);
    log.info("closing {} as a slow consumer ({} presence/typing frames dropped first)", describe(), outbound.dropped());
    abort(CloseCodes.SLOW_CONSUMER, "slow consumer");
  }

  /**
   * Closes a connection that is not reading: the close frame is queued (a slow client may still read it), and if
   * the socket has not closed when {@code WS_CLOSING_TIMEOUT_S} is up, its TCP connection is dropped; a close
   * frame stuck behind a full queue would otherwise keep it, and what it holds, forever.
   */
  private void abort(short code, String reason) {
    closed = true; // write nothing more
    socket.close(code, reason);
    vertx.setTimer(TimeUnit.SECONDS.toMillis(config.wsClosingTimeoutS()), id -> {
      if (!closeHandled) {
        dropConnection();
      }
    });
  }

  /**
   * Closes the TCP connection now. Vert.x orders a connection's close behind its unsent writes, which a stuck
   * client never takes, so this closes the Netty channel itself, through Vert.x's server connection (an impl
   * type of Vert.x 5.0, hence the check). Without it, the HTTP server's idle timeout (HEARTBEAT_TIMEOUT_MS with
   * no read or write) ends such a connection later.
   */
  private void dropConnection() {
    if (connection instanceof HttpServerConnection server) {
      server.channelHandlerContext().channel().close();
    } else {
      connection.close();
    }
    // Vert.x tells the socket's close handler only much later here: release what the connection holds now.
    finish();
  }

  private void onException(Throwable failure) {
    // A single frame over Netty's hard cap (see HttpVerticle) is refused by Netty, which closes with 1009.
    if (failure instanceof IllegalStateException && failure.getMessage() != null
        && failure.getMessage().contains("max message size")) {
      // Vert.x drops a reassembled message over maxWebSocketMessageSize, reports it here and leaves the
      // socket open: close it, as the protocol promises.
      log.debug("closing {} with 1009: {}", describe(), failure.getMessage());
      abort(CloseCodes.MESSAGE_TOO_BIG, "message too large");
    } else {
      log.debug("socket error on {}: {}", describe(), failure.toString());
    }
  }

  private void onClose() {
    closed = true;
    rooms.keySet().forEach(room -> fanout.unsubscribe(room, this));
    rooms.clear();
    if (helloSent) {
      bus.send(Addresses.DISCONNECT, new JsonObject().put("conn", id));
    }
    log.debug("{} closed ({})", describe(), socket.isClosed() ? socket.closeStatusCode() : "dropped");
  }

  private String describe() {
    return (nick == null ? "connection" : nick) + "@" + socket.remoteAddress();
  }

  /** This connection's view of a room it joined. */
  private static final class RoomView {
    /** Highest message id written (or covered by the joined snapshot). */
    long lastId;
    /** Membership version of the joined snapshot's member list: presence up to it is not news. */
    long membersVersion;
    /** Events that arrived while the join was in flight; null once joined. */
    List<RoomEvent> pending;
  }
}
