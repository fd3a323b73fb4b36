package io.parley.ws;

import io.parley.common.ConnectionLimiter;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.CloseCodes;
import io.parley.connection.Connections;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws}: admits the client ({@link Connections#admit}: 503 while the node drains, 429 past
 * {@code MAX_CONNECTIONS_PER_IP}), upgrades, and gives the socket a connection, its transport and its session.
 * Mounted behind the Origin check. One per HTTP verticle.
 */
public final class WsEndpoint implements Handler<RoutingContext> {

  public static final String PATH = "/ws";

  private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);

  private final Connections connections;
  private final ConnectionLimiter limiter;
  private final ParleyConfig config;
  private final String node;

  public WsEndpoint(Connections connections, ConnectionLimiter limiter, ParleyConfig config, String node) {
    this.connections = connections;
    this.limiter = limiter;
    this.config = config;
    this.node = node;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    // Answered here rather than by toWebSocket's failure: a plain GET then never takes a connection slot.
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      ctx.response().setStatusCode(400).end("expected a WebSocket upgrade");
      return;
    }
    Connections.Admission admission = connections.admit(limiter.clientAddress(request.remoteAddress(), request.headers()));
    if (!admission.admitted()) {
      ctx.response().setStatusCode(admission.refusal().httpStatus).end(admission.reason());
      return;
    }
    request.toWebSocket()
        .onSuccess(upgraded -> {
          WsTransport transport;
          try { // Vert.x's ServerWebSocket is not kept: WsTransport takes the socket over (see why there)
            transport = WsTransport.takeOver(request.connection(), config.get(Settings.OUTBOUND_QUEUE_BYTES),
                config.get(Settings.WS_MAX_FRAME_SIZE));
          } catch (RuntimeException e) {
            log.error("could not take over the WebSocket from {}", request.remoteAddress(), e);
            connections.release(admission);
            upgraded.close(CloseCodes.INTERNAL_ERROR, "internal error");
            return;
          }
          connections.accept(admission, () -> transport,
              connection -> transport.bind(new WsSession(transport, connection, config, node), connection),
              () -> transport.close(CloseCodes.INTERNAL_ERROR, "internal error"));
        })
        .onFailure(failure -> {
          connections.release(admission);
          log.debug("refused upgrade from {}: {}", request.remoteAddress(), failure.getMessage());
          if (!ctx.response().ended()) {
            ctx.response().setStatusCode(400).end("expected a WebSocket upgrade");
          }
        });
  }
}
