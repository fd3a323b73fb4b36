package io.parley;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.cluster.HazelcastSetup;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.metrics.MetricsSetup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the configuration, starts a node, and closes it cleanly on SIGTERM or Ctrl-C. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    String logFormat = System.getenv().getOrDefault("PARLEY_LOG_FORMAT", "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      // logback.xml found no appender of that name: this line would be lost in the log.
      System.err.println("PARLEY_LOG_FORMAT must be text or json, got '" + logFormat + "'");
      System.exit(2);
    }
    ParleyConfig config;
    try {
      config = readConfig();
    } catch (RuntimeException e) {
      log.error("Parley cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    nameTheLogs(config);
    try {
      log.info("storage: {}", io.parley.store.StorageKind.of(config).name().toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      log.error("Parley cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    HazelcastClusterManager cluster = null;
    PrometheusMeterRegistry metrics = config.get(Settings.METRICS_ENABLED) ? MetricsSetup.newRegistry() : null;
    Vertx vertx;
    try {
      if (config.get(Settings.CLUSTER_ENABLED)) {
        cluster = new HazelcastClusterManager(HazelcastSetup.hazelcastConfig(config));
        vertx = HazelcastSetup.startClustered(config, ParleyNode.vertxOptions(config), cluster, metrics);
        log.info("joined the cluster as {} (members: {})", cluster.getNodeId(), config.get(Settings.CLUSTER_MEMBERS));
      } else {
        VertxOptions options = ParleyNode.vertxOptions(config);
        vertx = (metrics == null ? Vertx.builder().with(options)
            : MetricsSetup.enable(Vertx.builder(), options, metrics, config.get(Settings.METRICS_EVENT_BUS))).build();
      }
    } catch (Exception e) {
      log.error("Parley failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    ParleyNode node;
    try {
      node = ParleyNode.deploy(vertx, config, cluster, metrics).await();
      log.info("Parley is up: http://{}:{}/ (WebSocket at /ws, event-bus bridge at /eventbus)", displayHost(config),
          node.httpPort());
      if (vertx.isNativeTransportEnabled()) {
        log.info("network transport: native (epoll)");
      } else if (config.get(Settings.NATIVE_TRANSPORT)) {
        log.info("network transport: Java NIO (the native one did not load: {})",
            String.valueOf(vertx.unavailableNativeTransportCause()));
      }
    } catch (Exception e) {
      log.error("Parley failed to start: {}", e.getMessage(), e);
      vertx.close().await();
      System.exit(1);
      return;
    }
    // SIGTERM: clients are closed with 1012 so they reconnect elsewhere, then the node leaves the cluster
    // (Vertx.close shuts Hazelcast down gracefully) and the other nodes announce its members' departure.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Parley is shutting down");
      node.close().eventually(vertx::close).await();
      log.info("Parley stopped");
    }, "parley-shutdown"));
  }

  /**
   * Every log line names this node (logback.xml: {@code %property{node}}, and the JSON lines' context): NODE_NAME,
   * else the host name (a container's name under compose).
   */
  private static void nameTheLogs(ParleyConfig config) {
    String name = config.get(Settings.NODE_NAME);
    if (name.isEmpty()) {
      try {
        name = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        name = "parley";
      }
    }
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
      logback.putProperty("node", name);
    }
  }

  // A throwaway Vertx reads the config, because the real one's options depend on it.
  private static ParleyConfig readConfig() {
    Vertx bootstrap = Vertx.vertx();
    try {
      return ConfigLoader.load(bootstrap).await();
    } finally {
      bootstrap.close().await();
    }
  }

  private static String displayHost(ParleyConfig config) {
    return "0.0.0.0".equals(config.get(Settings.HTTP_HOST)) ? "localhost" : config.get(Settings.HTTP_HOST);
  }
}
