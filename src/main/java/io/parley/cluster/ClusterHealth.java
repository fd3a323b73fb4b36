package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node is on the side of the cluster that may act: it sees at least a quorum of members (itself
 * included). On the minority side of a network split the node stops accepting what changes the cluster's state
 * ({@code hello}, {@code join}, {@code send} answer {@code unavailable}) and {@code /ready} says {@code NO_QUORUM},
 * so that the balancer sends its clients elsewhere; ids stay safe either way (the database decides them), but nicks
 * and members, which live in Hazelcast, would otherwise diverge on the two sides.
 *
 * <p>When Hazelcast merges this node back into the larger side (its data there is merged by the maps' merge policy
 * and what this side did while split is dropped where the larger side disagrees), {@code onMerged} runs: the node
 * closes its clients with 1012 so that they reconnect and resume with a consistent view.
 */
public final class ClusterHealth {

  private static final Logger log = LoggerFactory.getLogger(ClusterHealth.class);
  /** How often a change of the quorum is looked for, to log it. */
  private static final long CHECK_MS = 250;

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final int quorum;
  private final Runnable onMerged;
  /** As last logged. */
  private boolean quorate = true;
  private long timer = -1;
  private UUID lifecycle;

  public ClusterHealth(HazelcastInstance hazelcast, Vertx vertx, int quorum, Runnable onMerged) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.quorum = quorum;
    this.onMerged = onMerged;
  }

  /** {@code CLUSTER_QUORUM}, or a majority of {@code CLUSTER_MEMBERS} (1 when it lists none). */
  public static int quorum(ParleyConfig config) {
    int configured = config.get(Settings.CLUSTER_QUORUM);
    return configured > 0 ? configured : config.get(Settings.CLUSTER_MEMBERS).size() / 2 + 1;
  }

  public void start() {
    quorate = members() >= quorum;
    if (!quorate) {
      log.info("waiting for a quorum of the cluster: {} members of the {} needed; hello, join and send are refused "
          + "(unavailable) meanwhile", members(), quorum);
    }
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
    lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        log.warn("rejoined the cluster after a split ({} members): closing this node's clients so that they resume "
            + "with the cluster's view", hazelcast.getCluster().getMembers().size());
        vertx.runOnContext(v -> onMerged.run());
      }
    });
  }

  public void stop() {
    vertx.cancelTimer(timer);
    if (lifecycle != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
    }
  }

  /** Whether this node sees a quorum of members now (read from Hazelcast's member list, kept in memory). */
  public boolean quorate() {
    return !hazelcast.getLifecycleService().isRunning() || members() >= quorum;
  }

  /** The members of the cluster this node sees now. */
  public int members() {
    return hazelcast.getCluster().getMembers().size();
  }

  /** Logs the changes, once each. */
  private void check() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return;
    }
    int members = members();
    boolean now = members >= quorum;
    if (now != quorate) {
      quorate = now;
      if (now) {
        log.info("cluster quorum regained: {} members (quorum {}); accepting sends again", members, quorum);
      } else {
        log.warn("cluster quorum lost: this node sees {} members, fewer than the quorum of {}; refusing hello, join "
            + "and send (unavailable) until it is back", members, quorum);
      }
    }
  }
}
