package io.parley.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryXmlConfig;
import com.hazelcast.config.TcpIpConfig;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Builds the Hazelcast cluster manager from {@code conf/cluster.xml} (packaged in the jar) and Parley's
 * configuration: TCP-IP join with the members of {@code CLUSTER_MEMBERS}, no multicast, both cluster ports bound
 * to one address and the rest of {@link ClusterSecurity}.
 */
public final class HazelcastSetup {

  public static final String CLUSTER_XML = "conf/cluster.xml";

  private HazelcastSetup() {
  }

  public static Config hazelcastConfig(ParleyConfig config) {
    Properties properties = new Properties();
    properties.setProperty(Settings.CLUSTER_HOST.name(), config.get(Settings.CLUSTER_HOST));
    properties.setProperty(Settings.CLUSTER_BIND_HOST.name(), ClusterSecurity.bindHost(config));
    properties.setProperty(Settings.HAZELCAST_PORT.name(), Integer.toString(config.get(Settings.HAZELCAST_PORT)));
    properties.setProperty(Settings.CLUSTER_FAILURE_TIMEOUT_S.name(),
        Integer.toString(config.get(Settings.CLUSTER_FAILURE_TIMEOUT_S)));
    Config hazelcast = new InMemoryXmlConfig(readClusterXml(), properties);
    hazelcast.setClusterName(ClusterSecurity.clusterName(config.get(Settings.CLUSTER_SECRET)));
    TcpIpConfig tcpIp = hazelcast.getNetworkConfig().getJoin().getTcpIpConfig();
    tcpIp.setMembers(config.get(Settings.CLUSTER_MEMBERS).isEmpty()
        ? java.util.List.of(config.get(Settings.CLUSTER_HOST) + ":" + config.get(Settings.HAZELCAST_PORT))
        : config.get(Settings.CLUSTER_MEMBERS));
    hazelcast.getRingbufferConfig("parley.log.*").setCapacity(config.get(Settings.HISTORY_SIZE));
    return hazelcast;
  }

  public static EventBusOptions eventBusOptions(ParleyConfig config) {
    EventBusOptions options = new EventBusOptions()
        .setHost(ClusterSecurity.bindHost(config))
        .setPort(config.get(Settings.EVENTBUS_PORT))
        .setClusterPublicHost(config.get(Settings.CLUSTER_HOST));
    return ClusterSecurity.withTls(options, config);
  }

  private static String readClusterXml() {
    try (InputStream in = HazelcastSetup.class.getClassLoader().getResourceAsStream(CLUSTER_XML)) {
      if (in == null) {
        throw new IllegalStateException(CLUSTER_XML + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a clustered Vertx for this config (blocking: call from main or tests). */
  public static Vertx startClustered(ParleyConfig config, io.vertx.core.VertxOptions options,
      HazelcastClusterManager manager) {
    return startClustered(config, options, manager, null);
  }

  /** Likewise, with Vert.x's metrics recorded in {@code metrics} (null: none). */
  public static Vertx startClustered(ParleyConfig config, io.vertx.core.VertxOptions options,
      HazelcastClusterManager manager, io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics) {
    options.setEventBusOptions(eventBusOptions(config));
    io.vertx.core.VertxBuilder builder = metrics == null ? Vertx.builder().with(options)
        : io.parley.metrics.MetricsSetup.enable(Vertx.builder(), options, metrics,
            config.get(Settings.METRICS_EVENT_BUS));
    return builder.withClusterManager(manager).buildClustered().await();
  }
}
