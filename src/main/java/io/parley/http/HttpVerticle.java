package io.parley.http;

import io.parley.NodeStatus;
import io.parley.bridge.BridgeConnections;
import io.parley.bridge.ChatBridge;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.parley.protocol.CloseCodes;
import io.parley.session.ClientSession;
import io.parley.session.RoomFanout;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the web page, {@code /health}, {@code /ready}, {@code /metrics}, WebSocket upgrades at {@code /ws} and the SockJS event-bus bridge at
 * {@code /eventbus}, both behind an Origin check. Deployed once per event
 * loop; the instances share the port. Each instance owns the sessions it accepted.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final ParleyConfig config;
  private final RoomFanout fanout;
  private final NodeStatus status;
  private final ConnectionLimiter limiter;
  private final ParleyMetrics metrics;
  private final Set<ClientSession> sessions = new HashSet<>();
  private long heartbeats = -1;
  private BridgeConnections bridgeSockets;

  public HttpVerticle(ParleyConfig config, RoomFanout fanout, NodeStatus status, ConnectionLimiter limiter,
      ParleyMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.fanout = fanout;
    this.status = status;
    this.limiter = limiter;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    OriginCheck origins = new OriginCheck(config.allowedOrigins());
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    metrics.registry().ifPresent(registry -> router.get("/metrics").handler(PrometheusScrapingHandler.create(registry)));
    router.route("/ws").handler(origins).handler(this::upgrade);
    bridgeSockets = ChatBridge.mount(router, origins, vertx, config, fanout, limiter, status, metrics);
    router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));

    // Routes, not HttpServer.webSocketHandler: a server-level handler would take every upgrade,
    // including the ones later routes need (SockJS).
    // Netty drops the connection on a frame over its limit, and a client still writing that frame may then
    // see a reset instead of our 1009. So Netty's limit is a hard cap at twice the configured size, and
    // ClientSession closes gracefully with 1009 for anything over the configured size below that cap.
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(2 * config.wsMaxFrameSize())
        .setMaxWebSocketMessageSize(config.wsMaxFrameSize())
        .setWebSocketClosingTimeout(config.wsClosingTimeoutS())
        // Every response is written on its connection's event loop, so Vert.x may write straight to the channel
        // instead of through a concurrent queue, whose first chunk alone is 4 KiB per connection (and a /ws
        // connection keeps its upgrade request's connection for life).
        .setStrictThreadMode(true)
        // Netty closes a connection on which nothing was read or written for this long (a live one has heartbeats).
        .setIdleTimeout((int) config.heartbeatTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (config.socketSendBufferBytes() > 0) {
      options.setSendBufferSize(config.socketSendBufferBytes()); // else Linux grows it to MiBs per slow client
    }
    // One timer for all of this verticle's sessions, not one per connection; each session pings when its turn is
    // due, so pings are spread over the interval.
    long tick = Math.max(1, Math.min(1000, config.heartbeatIntervalMs() / ClientSession.HEARTBEAT_TICKS));
    heartbeats = vertx.setPeriodic(tick, id -> {
      long now = System.nanoTime();
      List.copyOf(sessions).forEach(session -> session.heartbeat(now));
    });
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen(sharedPort(config.httpPort()), config.httpHost())
        .onSuccess(server -> status.httpPort(server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return closeClients();
  }

  /**
   * Closes this instance's clients with 1012 (bridge sockets too), so that they reconnect rather than discover a
   * dead socket; completes once they are let go of (within WS_CLOSING_TIMEOUT_S). The server keeps serving.
   * Callable from any thread.
   */
  public Future<Void> closeClients() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(heartbeats);
      bridgeSockets.closeAll();
      Future.join(List.copyOf(sessions).stream()
              .map(session -> session.close(CloseCodes.SERVICE_RESTART, "node shutting down"))
              .toList())
          .onComplete(closed -> done.complete());
    });
    return done.future();
  }

  /**
   * Instances listening on the same port share one server and Vert.x spreads connections over them. Port 0
   * would give each instance its own random port; a negative port asks Vert.x for one random port shared
   * by all instances.
   */
  private static int sharedPort(int configured) {
    return configured == 0 ? -1 : configured;
  }

  /** Liveness: the process serves HTTP (also while it drains: restarting it would not help). */
  private void health(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("status", "UP").encode());
  }

  /**
   * Readiness, for balancers and orchestrators: 200 once every verticle is deployed and, in a cluster, while this
   * node is a member; 503 while starting, while out of the cluster, and while draining.
   */
  private void ready(RoutingContext ctx) {
    boolean clustered = status.clusterJoined();
    String state = status.draining() ? "DRAINING" : !status.ready() ? "STARTING" : !clustered ? "NOT_CLUSTERED" : "READY";
    ctx.response()
        .setStatusCode("READY".equals(state) ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", state).put("node", status.nodeId()).put("clusterJoined", clustered).encode());
  }

  private void upgrade(RoutingContext ctx) {
    if (status.draining()) {
      ctx.response().setStatusCode(503).end("node shutting down; connect to another");
      return;
    }
    String address = limiter.clientAddress(ctx.request().remoteAddress(), ctx.request().headers());
    if (!limiter.tryAcquire(address)) {
      metrics.dropped(ParleyMetrics.DropReason.CONNECTION_LIMIT);
      ctx.response().setStatusCode(429).end("too many connections from " + address);
      return;
    }
    ctx.request().toWebSocket()
        .onSuccess(socket -> sessions.add(new ClientSession(socket, ctx.request().connection(), vertx, fanout, config,
            status.nodeId(), metrics)
            .start(session -> {
              sessions.remove(session);
              limiter.release(address);
            })))
        .onFailure(failure -> {
          limiter.release(address);
          log.debug("refused upgrade from {}: {}", ctx.request().remoteAddress(), failure.getMessage());
          if (!ctx.response().ended()) {
            ctx.response().setStatusCode(400).end("expected a WebSocket upgrade");
          }
        });
  }
}
