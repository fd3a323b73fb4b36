package io.parley.bridge;

import io.parley.common.ConnectionLimiter;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.CloseCodes;
import io.parley.connection.Connections;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;
import java.util.regex.Pattern;

/**
 * The event-bus bridge at {@code /eventbus}, for browsers and JavaScript clients ({@code vertx-eventbus.js} over
 * SockJS): SockJS sockets from vertx-web, each a connection with a {@link BridgeSession} that speaks the bridge
 * protocol (docs/PROTOCOL.md, "Event-bus bridge").
 */
public final class SockJsBridge {

  /** Where the bridge is mounted. */
  public static final String PATH = "/eventbus";

  private SockJsBridge() {
  }

  /**
   * Mounts the bridge on {@code router} at {@link #PATH}, behind {@code originCheck}; once per HTTP verticle, whose
   * {@code connections} its sockets join. SockJS's iframe page is not served: a page of another site could frame it
   * (a frame's requests carry no Origin) and drive the bridge from inside it, with the node's own origin, as its
   * visitor.
   */
  public static void mount(Router router, Handler<RoutingContext> originCheck, Vertx vertx, ParleyConfig config,
      Connections connections, ConnectionLimiter limiter) {
    router.route(PATH + "/*").handler(originCheck);
    router.getWithRegex(Pattern.quote(PATH) + "/iframe[^/]*\\.html").handler(ctx -> ctx.response().setStatusCode(404).end());
    // The XHR transports POST their frames; the WebSocket transport must not have its body read.
    router.post(PATH + "/*").handler(BodyHandler.create(false).setBodyLimit(config.get(Settings.WS_MAX_FRAME_SIZE)));
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, sockJsOptions())
        .socketHandler(socket -> open(socket, config, connections, limiter)));
  }

  private static void open(SockJSSocket socket, ParleyConfig config, Connections connections,
      ConnectionLimiter limiter) {
    Connections.Admission admission = connections.admit(limiter.clientAddress(socket.remoteAddress(), socket.headers()));
    if (!admission.admitted()) {
      socket.close(admission.refusal().closeCode, admission.reason());
      return;
    }
    connections.accept(admission, () -> new SockJsTransport(socket, config.get(Settings.OUTBOUND_QUEUE_BYTES),
            config.get(Settings.WS_CLOSING_TIMEOUT_S)),
        connection -> {
          BridgeSession session = new BridgeSession(connection, BridgeWire.SOCKJS, config, connections.nodeId());
          socket.handler(data -> session.onEnvelope(data.toString()));
          socket.exceptionHandler(connection::failed);
          socket.closeHandler(v -> connection.closed());
        },
        () -> socket.close(CloseCodes.INTERNAL_ERROR, "internal error"));
  }

  /**
   * WebSocket and the XHR transports. The script-tag and iframe transports (JSONP, htmlfile, and EventSource, which no
   * current browser needs) are off: a page of another site can drive them without an Origin header. No cookie:
   * stickiness comes from the balancer.
   */
  private static SockJSHandlerOptions sockJsOptions() {
    return new SockJSHandlerOptions()
        .addDisabledTransport(Transport.JSON_P.name())
        .addDisabledTransport(Transport.HTML_FILE.name())
        .addDisabledTransport(Transport.EVENT_SOURCE.name())
        .setInsertJSESSIONID(false);
  }
}
