package io.parley.bridge;

import io.parley.NodeStatus;
import io.parley.bus.Addresses;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.http.ConnectionLimiter;
import io.parley.session.RoomFanout;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge at {@code /eventbus}: browsers and JavaScript clients send the chat requests of
 * {@link Addresses#BRIDGE_INBOUND} and register room addresses, and nothing else (docs/PROTOCOL.md, "Event-bus
 * bridge"). The permissions are built from {@link Addresses}; {@link BridgeConnections} ties each request to its
 * socket.
 */
public final class ChatBridge {

  /** Where the bridge is mounted. */
  public static final String PATH = "/eventbus";

  private ChatBridge() {
  }

  /**
   * Mounts the bridge on {@code router} at {@link #PATH}, behind {@code originCheck}; once per HTTP verticle. Returns
   * its sockets, for the verticle to close when the node stops.
   * SockJS's iframe page is not served: a page of another site could frame it (a frame's requests carry no
   * Origin) and drive the bridge from inside it, with the node's own origin, as its visitor.
   */
  public static BridgeConnections mount(Router router, Handler<RoutingContext> originCheck, Vertx vertx,
      ParleyConfig config, RoomFanout fanout, ConnectionLimiter limiter, NodeStatus status, ParleyMetrics metrics) {
    BridgeConnections connections = new BridgeConnections(vertx, fanout, limiter, config, status, metrics);
    router.route(PATH + "/*").handler(originCheck);
    router.getWithRegex(Pattern.quote(PATH) + "/iframe[^/]*\\.html").handler(ctx -> ctx.response().setStatusCode(404).end());
    // The XHR transports POST their frames; the WebSocket transport must not have its body read.
    router.post(PATH + "/*").handler(BodyHandler.create(false).setBodyLimit(config.wsMaxFrameSize()));
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, sockJsOptions())
        .bridge(permissions(config), event -> connections.handle(event, BridgeSocket.of(event.socket()))));
    return connections;
  }

  /** Exactly what the web page needs: the chat requests in, the room addresses out. */
  static SockJSBridgeOptions permissions(ParleyConfig config) {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .setReplyTimeout(config.requestTimeoutMs())
        .setMaxHandlersPerSocket(config.bridgeMaxHandlers())
        // The client pings every 5 s; a socket from which no ping comes for this long is closed.
        .setPingTimeout(config.heartbeatTimeoutMs());
    permit(options);
    return options;
  }

  /**
   * The permissions and limits of both bridges (SockJS here, TCP in {@link TcpBridgeVerticle}): the chat requests
   * of {@link Addresses#BRIDGE_INBOUND} in, the room addresses out, nothing else.
   */
  static void permit(BridgeOptions options) {
    options.addOutboundPermitted(new PermittedOptions().setAddressRegex(Addresses.BRIDGE_OUTBOUND_REGEX));
    Addresses.BRIDGE_INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
  }

  /**
   * WebSocket and the XHR transports. The script-tag and iframe transports (JSONP, htmlfile, and EventSource,
   * which no current browser needs) are off: a page of another site can drive them without an Origin header.
   * No cookie: stickiness comes from the balancer.
   */
  private static SockJSHandlerOptions sockJsOptions() {
    return new SockJSHandlerOptions()
        .addDisabledTransport(Transport.JSON_P.name())
        .addDisabledTransport(Transport.HTML_FILE.name())
        .addDisabledTransport(Transport.EVENT_SOURCE.name())
        .setInsertJSESSIONID(false);
  }
}
