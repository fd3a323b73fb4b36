package io.parley.http;

import io.parley.bridge.SockJsBridge;
import io.parley.common.ConnectionLimiter;
import io.parley.api.ServerApi;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.connection.Connections;
import io.parley.fanout.RoomFanout;
import io.parley.metrics.ParleyMetrics;
import io.parley.node.NodeStatus;
import io.parley.ws.WsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;

/**
 * Serves the web page, {@code /health}, {@code /ready}, {@code /metrics} (unless on {@code METRICS_PORT}), WebSocket
 * upgrades at {@code /ws} ({@link WsEndpoint}) and the SockJS bridge at {@code /eventbus} ({@link SockJsBridge}), both
 * behind an Origin check; every response but an upgrade carries the {@link SecurityHeaders}. Deployed once per event
 * loop; the instances share the port. Each instance owns the connections it accepted.
 */
public final class HttpVerticle extends VerticleBase {

  private final ParleyConfig config;
  private final RoomFanout fanout;
  private final NodeStatus status;
  private final ConnectionLimiter limiter;
  private final ParleyMetrics metrics;
  private Connections connections;

  public HttpVerticle(ParleyConfig config, RoomFanout fanout, NodeStatus status, ConnectionLimiter limiter,
      ParleyMetrics metrics) {
    this.config = config;
    this.fanout = fanout;
    this.status = status;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    connections = new Connections(vertx, config, fanout, status, limiter, metrics);
    Router router = Router.router(vertx);
    OriginCheck origins = new OriginCheck(config.get(Settings.PUBLIC_ORIGINS), config.get(Settings.ALLOWED_ORIGINS),
        config.get(Settings.TRUST_FORWARDED_FOR));
    router.route().handler(new SecurityHeaders());
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    if (config.get(Settings.METRICS_PORT) == 0) { // else a MetricsVerticle serves them, on a private interface
      metrics.registry().ifPresent(registry -> router.get("/metrics").handler(PrometheusScrapingHandler.create(registry)));
    }
    boolean apiHere = ServerApi.enabled(config) && config.get(Settings.API_PORT) == 0;
    if (apiHere) { // else an ApiVerticle serves it on its own port, or there is no API (no keys)
      new ServerApi(vertx, config).mount(router);
    }
    // Routes, not HttpServer.webSocketHandler: a server-level handler would take every upgrade, SockJS's too.
    router.route(WsEndpoint.PATH).handler(origins)
        .handler(new WsEndpoint(connections, limiter, config, status.nodeId()));
    SockJsBridge.mount(router, origins, vertx, config, connections, limiter);
    router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return connections.start().compose(listening -> vertx.createHttpServer(serverOptions())
        .requestHandler(router)
        .listen(sharedPort(config.get(Settings.HTTP_PORT)), config.get(Settings.HTTP_HOST)))
        .onSuccess(server -> {
          status.httpPort(server.actualPort());
          if (apiHere) {
            status.apiPort(server.actualPort());
          }
        });
  }

  /**
   * Netty drops the connection on a frame over its limit, and a client still writing that frame may then see a reset
   * instead of our 1009. So Netty's limit is a hard cap at twice the configured size, and the connection closes
   * gracefully with 1009 for anything over the configured size below that cap.
   */
  private HttpServerOptions serverOptions() {
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(2 * config.get(Settings.WS_MAX_FRAME_SIZE))
        .setMaxWebSocketMessageSize(config.get(Settings.WS_MAX_FRAME_SIZE))
        .setWebSocketClosingTimeout(config.get(Settings.WS_CLOSING_TIMEOUT_S))
        // Every response is written on its connection's event loop, so Vert.x may write straight to the channel
        // instead of through a concurrent queue, whose first chunk alone is 4 KiB per connection (and a /ws
        // connection keeps its upgrade request's connection for life).
        .setStrictThreadMode(true)
        // HTTP/1.1 only: nothing here needs HTTP/2, and a client's h2c upgrade of a plain request (the JDK's
        // HttpClient tries it by default) was seen to hang a /metrics scrape until the idle timeout.
        .setHttp2ClearTextEnabled(false)
        // Netty closes a connection on which nothing was read or written for this long (a live one has heartbeats).
        .setIdleTimeout((int) (long) config.get(Settings.HEARTBEAT_TIMEOUT_MS)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (config.get(Settings.SOCKET_SEND_BUFFER_BYTES) > 0) {
      options.setSendBufferSize(config.get(Settings.SOCKET_SEND_BUFFER_BYTES)); // else Linux grows it to MiBs
    }
    return options;
  }

  @Override
  public Future<?> stop() {
    return closeClients();
  }

  /**
   * Closes this instance's connections with 1012, so that their clients reconnect rather than discover a dead
   * socket; completes once they are let go of (within WS_CLOSING_TIMEOUT_S). The server keeps serving meanwhile.
   * Callable from any thread.
   */
  public Future<Void> closeClients() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> connections.shutdown().onComplete(done));
    return done.future();
  }

  /** Closes this instance's connections with 1012 ({@code why}) and goes on serving; callable from any thread. */
  public Future<Void> resyncClients(String why) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> connections.closeAll(why).onComplete(done));
    return done.future();
  }

  /**
   * Instances listening on the same port share one server and Vert.x spreads connections over them. Port 0 would
   * give each instance its own random port; a negative port asks Vert.x for one random port shared by all instances.
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
   * node is a member and its storage reachable; 503 while starting, out of the cluster, without its database, and while
   * draining.
   */
  private void ready(RoutingContext ctx) {
    boolean clustered = status.clusterJoined();
    String state = status.draining() ? "DRAINING" : !status.ready() ? "STARTING" : !clustered ? "NOT_CLUSTERED"
        : !status.quorate() ? "NO_QUORUM" : !status.storageAvailable() ? "STORAGE_DOWN" : "READY";
    ctx.response()
        .setStatusCode("READY".equals(state) ? 200 : 503)
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", state).put("node", status.nodeId()).put("clusterJoined", clustered).encode());
  }
}
