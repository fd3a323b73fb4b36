package io.parley;

import com.hazelcast.core.HazelcastInstance;
import io.parley.auth.TokenVerifier;
import io.parley.chat.ChatVerticle;
import io.parley.chat.LocalDirectory;
import io.parley.chat.LocalMessageLog;
import io.parley.cluster.HazelcastDirectory;
import io.parley.cluster.HazelcastMessageLog;
import io.parley.cluster.NodeDeathWatcher;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.bridge.TcpBridgeVerticle;
import io.parley.config.ParleyConfig;
import io.parley.metrics.ParleyMetrics;
import io.parley.http.ConnectionLimiter;
import io.parley.http.HttpVerticle;
import io.parley.session.RoomFanout;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;

/**
 * One Parley node on a given Vertx: the chat service, then one HTTP verticle per event loop. Used by
 * {@link Main} and by the tests, so both run exactly the same thing.
 */
public final class ParleyNode {

  private final Vertx vertx;
  private final NodeStatus status;
  private final List<String> deployments;
  private final NodeDeathWatcher watcher;
  private final ChatVerticle chat;
  private final RoomFanout fanout;
  private final List<HttpVerticle> http;
  private Future<Void> closing;

  private ParleyNode(Vertx vertx, NodeStatus status, List<String> deployments, NodeDeathWatcher watcher,
      ChatVerticle chat, RoomFanout fanout, List<HttpVerticle> http) {
    this.http = List.copyOf(http);
    this.vertx = vertx;
    this.chat = chat;
    this.fanout = fanout;
    this.watcher = watcher;
    this.status = status;
    this.deployments = List.copyOf(deployments);
  }

  /** The Vertx options a node wants from its config. */
  public static VertxOptions vertxOptions(ParleyConfig config) {
    VertxOptions options = new VertxOptions().setPreferNativeTransport(config.nativeTransport());
    if (config.eventLoops() > 0) {
      options.setEventLoopPoolSize(config.eventLoops());
    }
    return options;
  }

  /** Deploys a node that runs alone. */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config) {
    return deploy(vertx, config, null);
  }

  /**
   * Deploys every verticle; fails (a taken port, say) if any of them fails to start. With a cluster manager
   * (of a clustered Vertx), nicks, members and history live in Hazelcast and rooms span every node.
   */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config, HazelcastClusterManager cluster) {
    return deploy(vertx, config, cluster, null);
  }

  /**
   * Likewise, with Parley's meters in {@code registry}, which the Vert.x instance records its own metrics in too,
   * served at {@code /metrics} (null: no metrics, no {@code /metrics}).
   */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config, HazelcastClusterManager cluster,
      PrometheusMeterRegistry registry) {
    // Ready once every verticle is deployed and, in a cluster, while this node is a member.
    NodeStatus status = new NodeStatus(cluster == null ? "standalone" : cluster.getNodeId(),
        cluster == null ? () -> true
            : () -> cluster.isActive() && cluster.getHazelcastInstance().getLifecycleService().isRunning());
    RoomFanout fanout = new RoomFanout(config.gapFillMs());
    ParleyMetrics metrics = registry == null ? ParleyMetrics.disabled() : ParleyMetrics.create(registry, fanout::rooms);
    fanout.metrics(metrics);
    ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnectionsPerIp(), config.trustForwardedFor());
    TokenVerifier tokens = TokenVerifier.create(vertx, config);
    ChatVerticle chat;
    NodeDeathWatcher watcher = null;
    if (cluster == null) {
      chat = new ChatVerticle(config, new LocalDirectory(), new LocalMessageLog(config.historySize()), tokens, metrics);
    } else {
      HazelcastInstance hazelcast = cluster.getHazelcastInstance();
      chat = new ChatVerticle(config, new HazelcastDirectory(hazelcast, cluster.getNodeId(), vertx),
          new HazelcastMessageLog(hazelcast, cluster.getNodeId(), vertx), tokens, metrics);
      watcher = new NodeDeathWatcher(hazelcast, vertx);
    }
    NodeDeathWatcher deathWatcher = watcher;
    int httpInstances = config.eventLoops() > 0 ? config.eventLoops() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    List<String> deployments = new ArrayList<>();
    List<HttpVerticle> http = new java.util.concurrent.CopyOnWriteArrayList<>();
    // The fan-out consumes room events before anyone can join a room; the chat service before anyone can ask.
    return vertx.deployVerticle(fanout)
        .onSuccess(deployments::add)
        .compose(fanoutId -> vertx.deployVerticle(chat))
        .onSuccess(deployments::add)
        .onSuccess(id -> {
          if (deathWatcher != null) {
            deathWatcher.start();
          }
        })
        .compose(chatId -> vertx.deployVerticle(() -> {
          HttpVerticle instance = new HttpVerticle(config, fanout, status, limiter, metrics);
          http.add(instance);
          return instance;
        }, new DeploymentOptions().setInstances(httpInstances)))
        .onSuccess(deployments::add)
        .compose(httpId -> config.tcpBridgeEnabled()
            ? vertx.deployVerticle(new TcpBridgeVerticle(config, fanout, limiter, status, metrics))
                .onSuccess(deployments::add).mapEmpty()
            : Future.succeededFuture())
        .map(deployed -> {
          status.markReady();
          return new ParleyNode(vertx, status, deployments, deathWatcher, chat, fanout, http);
        })
        .recover(failure -> undeployAll(vertx, deployments).transform(v -> Future.failedFuture(failure)));
  }

  /**
   * Stops the node in the reverse order: the HTTP side first (its sessions close and say goodbye to the
   * chat service), then the chat service.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      status.markDraining();
      if (watcher != null) {
        watcher.stop();
        chat.drain(); // the surviving nodes announce this node's members leaving, once it has left
      }
      // Every HTTP instance keeps serving (/ready answers 503) until all of them have closed their clients; only
      // then do the servers close. Otherwise an instance with nothing to close would stop at once, and requests
      // it is given meanwhile (the balancer's probe, a reconnect) would find its connection closed.
      closing = Future.join(http.stream().map(HttpVerticle::closeClients).toList())
          .transform(drained -> undeployAll(vertx, deployments));
    }
    return closing;
  }

  private static Future<Void> undeployAll(Vertx vertx, List<String> deployments) {
    Future<Void> done = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      done = done.eventually(() -> vertx.undeploy(id));
    }
    return done;
  }

  public int httpPort() {
    return status.httpPort();
  }

  /** The TCP bridge's port (-1: off). */
  public int tcpBridgePort() {
    return status.tcpBridgePort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The node's room fan-out: which rooms it serves (tests; metrics). */
  public RoomFanout fanout() {
    return fanout;
  }
}
