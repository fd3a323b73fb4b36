package io.parley.support;

import io.parley.ParleyNode;
import io.parley.cluster.HazelcastSetup;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real Parley nodes forming a real Hazelcast cluster on loopback, each a clustered Vertx in this JVM with
 * its own cluster manager, event bus and HTTP port. Heartbeat timeouts are lowered so tests stay fast.
 */
public final class TestCluster implements AutoCloseable {

  /** How long a member may take to leave: the node's drain, then Hazelcast's graceful hand-over of its partitions. */
  public static final long SHUTDOWN_SECONDS = 60;

  private static final Logger LOG = LoggerFactory.getLogger(TestCluster.class);

  /** One member: its Vertx, its Parley node, its configuration and its cluster manager. */
  public record Member(Vertx vertx, ParleyNode node, ParleyConfig config, HazelcastClusterManager manager) {

    public int httpPort() {
      return node.httpPort();
    }

    /**
     * Leaves as SIGTERM would: clients closed with 1012, members leave, then the cluster. A leave that does not end
     * fails here with every thread's stack in the log, before the test's own timeout hides where it hung.
     */
    public void shutdown() {
      try {
        node.close().eventually(vertx::close).await(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        LOG.error("member {} did not leave within {} s; threads:\n{}", config.get(Settings.HAZELCAST_PORT),
            SHUTDOWN_SECONDS, ThreadDump.all());
        throw new AssertionError("member " + config.get(Settings.HAZELCAST_PORT) + " did not leave within "
            + SHUTDOWN_SECONDS + " s (threads logged)", e);
      }
    }

    boolean running() {
      return manager.getHazelcastInstance().getLifecycleService().isRunning();
    }

    boolean partitionsSafe() {
      return manager.getHazelcastInstance().getPartitionService().isClusterSafe();
    }
  }

  private final List<Member> members = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();

  /** A cluster on a fresh PostgreSQL database of the tests' server ({@link Postgres}), with {@code overrides}. */
  public static TestCluster start(int size, JsonObject overrides) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(Ports.free());
    }
    JsonArray memberList = new JsonArray(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    String database = overrides.containsKey(Settings.STORAGE.name()) ? "" : Postgres.server().freshDatabase();
    TestCluster cluster = new TestCluster();
    for (int port : ports) {
      ParleyConfig config = ParleyServerTest.testConfig(new JsonObject()
          .put(Settings.CLUSTER_ENABLED.name(), true)
          .put(Settings.CLUSTER_HOST.name(), "127.0.0.1")
          .put(Settings.HAZELCAST_PORT.name(), port)
          .put(Settings.CLUSTER_MEMBERS.name(), memberList)
          .put(Settings.CLUSTER_FAILURE_TIMEOUT_S.name(), 4)
          .put(Settings.EVENT_LOOPS.name(), 2)
          .put(Settings.GAP_FILL_MS.name(), 200)
          .put(Settings.DATABASE_URL.name(), database)
          .mergeIn(overrides));
      HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.hazelcastConfig(config));
      Vertx vertx = HazelcastSetup.startClustered(config, ParleyNode.vertxOptions(config), manager);
      cluster.members.add(new Member(vertx, ParleyNode.deploy(vertx, config, manager, null).await(), config, manager));
    }
    // The partitions migrate to the members that joined; a test that starts at once could wait on a migration for
    // longer than REQUEST_TIMEOUT_MS on a loaded machine (answered unavailable). Start on a settled cluster.
    cluster.awaitPartitionsSafe();
    return cluster;
  }

  /**
   * Waits until every running member's partitions have their owner and backups in place, as an operator rolling
   * nodes waits between two (Hazelcast's cluster-safe state). A member shut down while the last one's partitions
   * still migrate has its own hand-over and the cluster manager's clean-up of the last one queued behind them.
   */
  public void awaitPartitionsSafe() {
    Member any = members.stream().filter(Member::running).findFirst().orElseThrow();
    Eventually.await(any.vertx(), () -> members.stream().filter(Member::running).allMatch(Member::partitionsSafe),
        "every partition of the cluster has its owner and backups in place");
  }

  public Member member(int index) {
    return members.get(index);
  }

  /** A client of member {@code index}, welcomed as {@code nick}. */
  public TestClient user(int index, String nick) {
    Member member = members.get(index);
    TestClient client = TestClient.user(member.vertx(), member.httpPort(), nick);
    clients.add(client);
    return client;
  }

  public TestClient anonymous(int index) {
    Member member = members.get(index);
    TestClient client = TestClient.connect(member.vertx(), member.httpPort());
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(client -> {
      try {
        client.close();
      } catch (RuntimeException ignored) {
        // its node may be gone already
      }
    });
    for (int i = members.size() - 1; i >= 0; i--) {
      try {
        members.get(i).shutdown();
      } catch (RuntimeException ignored) {
        // already shut down by the test
      }
    }
  }
}
