package io.parley.bridge;

import io.parley.api.ApiKeys;
import io.parley.auth.TokenVerifier;
import io.parley.common.ConnectionLimiter;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.connection.Connection;
import io.parley.connection.Connections;
import io.parley.fanout.RoomFanout;
import io.parley.metrics.ParleyMetrics;
import io.parley.node.NodeStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.parsetools.RecordParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP bridge ({@code TCP_BRIDGE_ENABLED}, port {@code TCP_BRIDGE_PORT}): the bridge protocol of
 * {@link BridgeSession}, for any language with a TCP socket and a JSON library. Frames are a 4-byte big-endian
 * length and UTF-8 JSON (docs/PROTOCOL.md, "TCP bridge"); {@code examples/python/parley_chat.py} is a client. Off by
 * default. With {@code TCP_BRIDGE_AUTH=required} every connection proves itself in its first frame
 * ({@link TcpAuthGate}), and with {@code TCP_BRIDGE_TLS_CERT} it speaks TLS: only then is it fit for untrusted networks.
 */
public final class TcpBridgeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TcpBridgeVerticle.class);

  private final ParleyConfig config;
  private final RoomFanout fanout;
  private final ConnectionLimiter limiter;
  private final NodeStatus status;
  private final ParleyMetrics metrics;
  private Connections connections;
  private NetServer server;
  private boolean authRequired;
  private ApiKeys keys;
  private TokenVerifier tokens; // null: no JWT configured

  public TcpBridgeVerticle(ParleyConfig config, RoomFanout fanout, ConnectionLimiter limiter, NodeStatus status,
      ParleyMetrics metrics) {
    this.config = config;
    this.fanout = fanout;
    this.limiter = limiter;
    this.status = status;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    connections = new Connections(vertx, config, fanout, status, limiter, metrics);
    NetServerOptions options = new NetServerOptions();
    if (config.get(Settings.SOCKET_SEND_BUFFER_BYTES) > 0) {
      options.setSendBufferSize(config.get(Settings.SOCKET_SEND_BUFFER_BYTES)); // else Linux grows it to MiBs
    }
    String cert = config.get(Settings.TCP_BRIDGE_TLS_CERT);
    if (!cert.isEmpty()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().addCertPath(cert)
          .addKeyPath(config.get(Settings.TCP_BRIDGE_TLS_KEY)));
    }
    authRequired = "required".equals(config.get(Settings.TCP_BRIDGE_AUTH));
    keys = new ApiKeys(config.get(Settings.API_KEYS));
    tokens = authRequired ? TokenVerifier.create(vertx, config) : null;
    server = vertx.createNetServer(options).connectHandler(this::open);
    Future<Void> auth = authRequired ? TcpAuthGate.check(keys, tokens)
        .compose(v -> tokens == null ? Future.succeededFuture() : tokens.start()) : Future.succeededFuture();
    return auth.compose(v -> connections.start()).compose(v -> server.listen(config.get(Settings.TCP_BRIDGE_PORT),
        config.get(Settings.HTTP_HOST))).onSuccess(listening -> {
      status.tcpBridgePort(listening.actualPort());
      log.info("TCP bridge on port {} ({}, authentication {})", listening.actualPort(),
          cert.isEmpty() ? "plain TCP" : "TLS", authRequired ? "required" : "none");
    });
  }

  @Override
  public Future<?> stop() {
    return connections.shutdown().eventually(server::close)
        .eventually(() -> tokens == null ? Future.succeededFuture() : tokens.close());
  }

  /** Closes the bridge's connections (there are no close codes on TCP: each just ends); callable from any thread. */
  public Future<Void> closeClients() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> connections.shutdown().onComplete(done));
    return done.future();
  }

  /** Closes this instance's connections with 1012 ({@code why}) and goes on serving; callable from any thread. */
  public Future<Void> resyncClients(String why) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> connections.closeAll(why).onComplete(done));
    return done.future();
  }

  private void open(NetSocket socket) {
    // No HTTP headers on TCP: the client's address is the peer's (no X-Forwarded-For).
    Connections.Admission admission = connections.admit(
        limiter.clientAddress(socket.remoteAddress(), MultiMap.caseInsensitiveMultiMap()));
    if (!admission.admitted()) {
      socket.close();
      return;
    }
    connections.accept(admission, () -> new TcpTransport(socket, config.get(Settings.OUTBOUND_QUEUE_BYTES)),
        connection -> {
          BridgeSession session = new BridgeSession(connection, BridgeWire.TCP, config, status.nodeId());
          Handler<Buffer> frames = frame -> session.onEnvelope(frame.toString());
          TcpAuthGate gate = authRequired ? new TcpAuthGate(vertx, connection, keys, tokens,
              config.get(Settings.TCP_BRIDGE_AUTH_TIMEOUT_MS), frames) : null;
          socket.handler(framing(connection, gate != null ? gate : frames));
          socket.exceptionHandler(connection::failed);
          socket.closeHandler(v -> {
            if (gate != null) {
              gate.closed();
            }
            connection.closed();
          });
        },
        socket::close);
  }

  /**
   * Splits the byte stream into frames: a 4-byte big-endian length, then that many bytes. A length over
   * {@code WS_MAX_FRAME_SIZE} closes the connection before anything of the frame is buffered.
   */
  private RecordParser framing(Connection connection, Handler<Buffer> frames) {
    int maxFrame = config.get(Settings.WS_MAX_FRAME_SIZE);
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer chunk) {
        if (!connection.isOpen()) {
          return;
        }
        if (length < 0) {
          length = chunk.getInt(0);
          if (length < 0 || length > maxFrame) {
            connection.tooBig(Integer.toUnsignedLong(length));
          } else if (length == 0) { // nothing to wait for: an empty frame, which is not JSON
            length = -1;
            frames.handle(Buffer.buffer());
          } else {
            parser.fixedSizeMode(length);
          }
        } else {
          length = -1;
          parser.fixedSizeMode(4);
          frames.handle(chunk);
        }
      }
    });
    return parser;
  }
}
