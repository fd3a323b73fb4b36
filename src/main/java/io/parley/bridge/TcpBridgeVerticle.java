package io.parley.bridge;

import io.parley.NodeStatus;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.http.ConnectionLimiter;
import io.parley.session.RoomFanout;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge ({@code TCP_BRIDGE_ENABLED}, port {@code TCP_BRIDGE_PORT}): the SockJS bridge's
 * addresses, permissions and per-socket rules ({@link BridgeConnections}) for any language with a TCP socket and a
 * JSON library. Frames are a 4-byte big-endian length and UTF-8 JSON (docs/PROTOCOL.md, "TCP bridge");
 * {@code examples/python/parley_chat.py} is a client. Off by default: it has no Origin check and no TLS, so expose
 * it only where a firewall or a TLS proxy stands in front of it.
 */
public final class TcpBridgeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TcpBridgeVerticle.class);

  private static final long SWEEP_MS = 500;

  private final ParleyConfig config;
  private final RoomFanout fanout;
  private final ConnectionLimiter limiter;
  private final NodeStatus status;
  private final ParleyMetrics metrics;
  private final int port;
  private BridgeConnections connections;
  private TcpEventBusBridge bridge;
  private long sweeps = -1;

  public TcpBridgeVerticle(ParleyConfig config, RoomFanout fanout, ConnectionLimiter limiter, NodeStatus status,
      ParleyMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.fanout = fanout;
    this.limiter = limiter;
    this.status = status;
    this.port = config.tcpBridgePort() == 0 ? freePort() : config.tcpBridgePort();
  }

  /**
   * The TCP bridge cannot say which port it bound, so port 0 (tests) is resolved to a free one here, when the node
   * is deployed (not on an event loop).
   */
  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public Future<?> start() {
    connections = new BridgeConnections(vertx, fanout, limiter, config, status, metrics);
    BridgeOptions permissions = new BridgeOptions();
    ChatBridge.permit(permissions);
    NetServerOptions server = new NetServerOptions()
        // The TCP bridge has no ping timeout of its own: a connection silent for this long (clients ping) is closed.
        .setReadIdleTimeout((int) config.heartbeatTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    bridge = TcpEventBusBridge.create(vertx, permissions, server,
        event -> connections.handle(event, BridgeSocket.of(event.socket())));
    // The TCP bridge writes room events without telling: a socket that stays behind for a second is closed (its
    // write queue is bounded by OUTBOUND_QUEUE_BYTES, and Netty holds what is past it until then).
    sweeps = vertx.setPeriodic(SWEEP_MS, id -> connections.sweepSlowConsumers());
    return bridge.listen(port, config.httpHost()).onSuccess(listening -> {
      status.tcpBridgePort(port);
      log.info("TCP event-bus bridge on port {}", port);
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeps);
    connections.closeAll();
    return bridge.close();
  }

}
