package io.parley.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.parley.bus.Addresses;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Hazelcast membership. When a member is removed (crashed, or left), the oldest surviving member
 * asks its chat service to remove that node's nicks and members and announce their departure, so it is done
 * once, cluster-wide. (Vert.x's own {@code ClusterManager.nodeListener} is taken by Vert.x, hence Hazelcast's.)
 */
public final class NodeDeathWatcher implements MembershipListener {

  private static final Logger log = LoggerFactory.getLogger(NodeDeathWatcher.class);
  /** The member attribute in which vertx-hazelcast records the Vert.x node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private UUID registration;

  public NodeDeathWatcher(HazelcastInstance hazelcast, Vertx vertx) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
  }

  public void start() {
    registration = hazelcast.getCluster().addMembershipListener(this);
  }

  public void stop() {
    if (registration != null) {
      hazelcast.getCluster().removeMembershipListener(registration);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    log.info("cluster member joined: {} ({} members)", event.getMember().getAddress(), event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    Member gone = event.getMember();
    String nodeId = gone.getAttribute(NODE_ID_ATTRIBUTE);
    log.info("cluster member left: {} ({} members)", gone.getAddress(), event.getMembers().size());
    Member oldest = event.getMembers().iterator().next();
    if (nodeId != null && oldest.localMember()) {
      vertx.eventBus().send(Addresses.PURGE_NODE, nodeId);
    }
  }
}
