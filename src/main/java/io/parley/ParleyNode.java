package io.parley;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.api.ApiVerticle;
import io.parley.api.ServerApi;
import io.parley.auth.TokenVerifier;
import io.parley.bridge.TcpBridgeVerticle;
import io.parley.bus.LocalCodec;
import io.parley.chat.ChatVerticle;
import io.parley.cluster.HazelcastDirectory;
import io.parley.cluster.HazelcastMessageLog;
import io.parley.cluster.ClusterHealth;
import io.parley.cluster.NodeDeathWatcher;
import io.parley.common.ConnectionLimiter;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.fanout.RoomEventCodec;
import io.parley.fanout.RoomFanout;
import io.parley.http.HttpVerticle;
import io.parley.metrics.MetricsVerticle;
import io.parley.metrics.ParleyMetrics;
import io.parley.node.NodeStatus;
import io.parley.store.CachedMessageLog;
import io.parley.store.Directory;
import io.parley.store.MemoryDirectory;
import io.parley.store.MemoryMessageLog;
import io.parley.store.MessageLog;
import io.parley.store.StorageKind;
import io.parley.store.sql.PostgresStore;
import io.parley.store.sql.SqliteStore;
import io.parley.webhook.WebhookQueue;
import io.parley.webhook.WebhookVerticle;
import java.nio.file.Path;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Parley node on a given Vertx: the room fan-out, the chat service, the metrics server when on a port of its
 * own, one HTTP verticle per event loop and, if enabled, the TCP bridge. Used by {@link Main} and by the tests, so
 * both run exactly the same thing.
 */
public final class ParleyNode {

  private final Vertx vertx;
  private final NodeStatus status;
  private final List<String> deployments;
  private final NodeDeathWatcher watcher;
  private final ClusterHealth health;
  private final ChatVerticle chat;
  private final RoomFanout fanout;
  private final List<HttpVerticle> http;
  private final List<TcpBridgeVerticle> tcp;
  private Future<Void> closing;

  private ParleyNode(Vertx vertx, NodeStatus status, List<String> deployments, NodeDeathWatcher watcher,
      ClusterHealth health, ChatVerticle chat, RoomFanout fanout, List<HttpVerticle> http,
      List<TcpBridgeVerticle> tcp) {
    this.vertx = vertx;
    this.status = status;
    this.deployments = List.copyOf(deployments);
    this.watcher = watcher;
    this.health = health;
    this.chat = chat;
    this.fanout = fanout;
    this.http = List.copyOf(http);
    this.tcp = List.copyOf(tcp);
  }

  /** The Vertx options a node wants from its config. */
  public static VertxOptions vertxOptions(ParleyConfig config) {
    VertxOptions options = new VertxOptions().setPreferNativeTransport(config.get(Settings.NATIVE_TRANSPORT));
    if (config.get(Settings.EVENT_LOOPS) > 0) {
      options.setEventLoopPoolSize(config.get(Settings.EVENT_LOOPS));
    }
    return options;
  }

  /** Deploys a node that runs alone, without metrics. */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config) {
    return deploy(vertx, config, null, null);
  }

  /**
   * Deploys every verticle; fails (a taken port, say) if any of them fails to start. With a cluster manager (of a
   * clustered Vertx), nicks, members and history live in Hazelcast and rooms span every node. With a
   * {@code registry} (which the Vert.x instance records its own metrics in too), Parley's meters are served at
   * {@code /metrics}, on {@code METRICS_PORT} if set, else on the HTTP port; null: no metrics.
   */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config, HazelcastClusterManager cluster,
      PrometheusMeterRegistry registry) {
    LocalCodec.register(vertx);
    RoomEventCodec.register(vertx);
    // Ready once every verticle is deployed and, in a cluster, while this node is a member.
    NodeStatus status = new NodeStatus(cluster == null ? "standalone" : cluster.getNodeId(),
        cluster == null ? () -> true
            : () -> cluster.isActive() && cluster.getHazelcastInstance().getLifecycleService().isRunning());
    StorageKind.of(config); // refuses at once a storage that cannot work
    int metricsPort = config.get(Settings.METRICS_PORT);
    if (metricsPort != 0 && metricsPort == config.get(Settings.HTTP_PORT)) {
      // Vert.x would share one server between the two routers, half the page's requests going to the metrics'.
      throw new IllegalArgumentException("config key METRICS_PORT must not be HTTP_PORT (0: metrics on HTTP_PORT)");
    }
    ParleyMetrics metrics = registry == null ? ParleyMetrics.disabled() : ParleyMetrics.create(registry);
    RoomFanout fanout = new RoomFanout(config.get(Settings.GAP_FILL_MS), config.get(Settings.WRITE_DELAY_MS), metrics);
    metrics.measureRooms(fanout::rooms);
    ConnectionLimiter limiter = new ConnectionLimiter(config.get(Settings.MAX_CONNECTIONS_PER_IP),
        config.get(Settings.TRUST_FORWARDED_FOR));
    ChatVerticle chat = chatService(vertx, config, cluster, metrics);
    WebhookQueue webhooks = WebhookVerticle.enabled(config)
        ? new WebhookQueue(config.get(Settings.WEBHOOK_QUEUE_MAX), metrics) : null;
    chat.webhooks(webhooks);
    status.storageAvailable(chat::storageAvailable);
    NodeDeathWatcher watcher = cluster == null ? null : new NodeDeathWatcher(cluster.getHazelcastInstance(), vertx);
    int httpInstances = config.get(Settings.EVENT_LOOPS) > 0 ? config.get(Settings.EVENT_LOOPS)
        : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    List<String> deployments = new ArrayList<>();
    List<HttpVerticle> http = new CopyOnWriteArrayList<>();
    List<TcpBridgeVerticle> tcp = new CopyOnWriteArrayList<>();
    ClusterHealth health = cluster == null ? null : new ClusterHealth(cluster.getHazelcastInstance(), vertx,
        ClusterHealth.quorum(config), () -> {
          String why = "the node rejoined its cluster after a split";
          http.forEach(instance -> instance.resyncClients(why));
          tcp.forEach(bridge -> bridge.resyncClients(why));
        });
    if (health != null) {
      status.quorate(health::quorate);
      chat.quorate(health::quorate);
      chat.clusterSize(health::members);
    }
    // The fan-out consumes room events before anyone can join a room; the chat service before anyone can ask.
    return vertx.deployVerticle(fanout)
        .onSuccess(deployments::add)
        .compose(fanoutId -> vertx.deployVerticle(chat))
        .onSuccess(deployments::add)
        .onSuccess(chatId -> {
          if (watcher != null) {
            watcher.start();
            health.start();
          }
        })
        // Webhooks after the chat service: its migration has made their table, and it queues from its first event.
        .compose(chatId -> webhooks != null
            // First in the list, so undeployed last: the chat service's last events (its members leaving) are
            // written to the outbox before it closes.
            ? vertx.deployVerticle(new WebhookVerticle(config, webhooks, metrics, status.nodeId()))
                .onSuccess(id -> deployments.add(0, id)).mapEmpty()
            : Future.succeededFuture())
        .compose(webhooksId -> registry != null && config.get(Settings.METRICS_PORT) > 0
            ? vertx.deployVerticle(new MetricsVerticle(registry, config.get(Settings.METRICS_HOST),
                config.get(Settings.METRICS_PORT))).onSuccess(deployments::add).mapEmpty()
            : Future.succeededFuture())
        .compose(metricsId -> vertx.deployVerticle(() -> {
          HttpVerticle instance = new HttpVerticle(config, fanout, status, limiter, metrics);
          http.add(instance);
          return instance;
        }, new DeploymentOptions().setInstances(httpInstances)))
        .onSuccess(deployments::add)
        .compose(httpId -> ServerApi.enabled(config) && config.get(Settings.API_PORT) > 0
            ? vertx.deployVerticle(new ApiVerticle(config, status)).onSuccess(deployments::add).mapEmpty()
            : Future.succeededFuture())
        .compose(apiId -> config.get(Settings.TCP_BRIDGE_ENABLED)
            ? vertx.deployVerticle(() -> {
                  TcpBridgeVerticle bridge = new TcpBridgeVerticle(config, fanout, limiter, status, metrics);
                  tcp.add(bridge);
                  return bridge;
                }, new DeploymentOptions()).onSuccess(deployments::add).mapEmpty()
            : Future.succeededFuture())
        .map(deployed -> {
          status.markReady();
          return new ParleyNode(vertx, status, deployments, watcher, health, chat, fanout, http, tcp);
        })
        .recover(failure -> {
          if (watcher != null) {
            watcher.stop();
            health.stop();
          }
          return undeployAll(vertx, deployments).transform(v -> Future.failedFuture(failure));
        });
  }

  /**
   * The chat service: nicks and members in memory alone or in Hazelcast in a cluster; rooms and messages where
   * {@link StorageKind} says, opened when the chat service starts (on its context).
   */
  private static ChatVerticle chatService(Vertx vertx, ParleyConfig config, HazelcastClusterManager cluster,
      ParleyMetrics metrics) {
    TokenVerifier tokens = TokenVerifier.create(vertx, config);
    long sessionTtlMs = config.get(Settings.GUEST_SESSION_TTL_S) * 1000L;
    Directory directory = cluster == null ? new MemoryDirectory(sessionTtlMs)
        : new HazelcastDirectory(cluster.getHazelcastInstance(), cluster.getNodeId(), vertx, sessionTtlMs);
    return new ChatVerticle(config, directory, context -> openStore(context, config, cluster), tokens, metrics);
  }

  private static Future<MessageLog> openStore(Vertx vertx, ParleyConfig config, HazelcastClusterManager cluster) {
    long dedupWindowMs = config.get(Settings.SEND_DEDUP_WINDOW_S) * 1000L;
    int batch = config.get(Settings.COMMIT_BATCH_MAX);
    int queue = config.get(Settings.COMMIT_QUEUE_MAX);
    Future<MessageLog> durable;
    switch (StorageKind.of(config)) {
      case MEMORY:
        return Future.succeededFuture(cluster == null
            ? new MemoryMessageLog(config.get(Settings.HISTORY_SIZE), dedupWindowMs)
            : new HazelcastMessageLog(cluster.getHazelcastInstance(), cluster.getNodeId(), vertx, dedupWindowMs));
      case POSTGRESQL:
        durable = PostgresStore.open(vertx, config.get(Settings.DATABASE_URL), config.get(Settings.DATABASE_POOL_SIZE),
            config.get(Settings.REQUEST_TIMEOUT_MS) / 2, batch, queue).map(store -> (MessageLog) store);
        break;
      default:
        durable = SqliteStore.open(vertx, Path.of(config.get(Settings.DATA_DIR)),
            "full".equals(config.get(Settings.EMBEDDED_SYNC)), batch, queue)
            .map(store -> (MessageLog) store);
    }
    return durable.map(store -> new CachedMessageLog(vertx, store, config.get(Settings.HISTORY_SIZE),
        config.get(Settings.ROOM_IDLE_EVICT_S) * 1000L, config.get(Settings.CACHE_ROOMS_MAX)));
  }

  /**
   * Stops the node in the reverse order: the HTTP side first (its connections close and say goodbye to the chat
   * service), then the chat service.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      status.markDraining();
      if (watcher != null) {
        watcher.stop();
        health.stop();
        chat.drain(); // the surviving nodes announce this node's members leaving, once it has left
      }
      // Every HTTP instance keeps serving (/ready answers 503) until all of them have closed their clients; only
      // then do the servers close. Otherwise an instance with nothing to close would stop at once, and requests
      // it is given meanwhile (the balancer's probe, a reconnect) would find its connection closed.
      List<Future<Void>> clientsClosed = new java.util.ArrayList<>();
      http.forEach(instance -> clientsClosed.add(instance.closeClients()));
      tcp.forEach(bridge -> clientsClosed.add(bridge.closeClients()));
      closing = Future.join(clientsClosed)
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

  /** The server API's port (the HTTP port unless {@code API_PORT}; -1: no API). */
  public int apiPort() {
    return status.apiPort();
  }

  /** The TCP bridge's port (-1: off). */
  public int tcpBridgePort() {
    return status.tcpBridgePort();
  }

  /** How many rooms this node serves (tests; the metrics gauge reads the same). */
  public int rooms() {
    return fanout.rooms();
  }

  /** How many rooms the storage's cache holds on this node (-1: no cache, memory storage). */
  public int cachedRooms() {
    return chat.roomsInMemory();
  }
}
