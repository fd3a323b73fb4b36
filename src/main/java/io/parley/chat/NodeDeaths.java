package io.parley.chat;

import io.parley.common.Retry;
import io.parley.store.MessageLog;
import io.parley.store.Directory;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a dead node of the cluster leaves behind, cleared by the node chosen to do it ({@code NodeDeathWatcher}):
 * its nicks and its members of every room (announced as {@code presence} {@code leave}), then the sends it had in
 * flight. Right after a member dies Hazelcast re-partitions, and a scan can fail: each step is retried.
 */
final class NodeDeaths {

  private static final Logger log = LoggerFactory.getLogger(NodeDeaths.class);
  private static final int ATTEMPTS = 5;

  private final Vertx vertx;
  private final Directory directory;
  private final MessageLog messages;
  private final Membership membership;

  NodeDeaths(Vertx vertx, Directory directory, MessageLog log, Membership membership) {
    this.vertx = vertx;
    this.directory = directory;
    this.messages = log;
    this.membership = membership;
  }

  /**
   * Purges the dead node's members, and settles its sends: apart, so that a retry of one does not redo the other,
   * and a purge that fails for good leaves no send blocked.
   */
  void purge(String nodeId) {
    Retry.withBackoff(vertx, ATTEMPTS, "removing the members of dead node " + nodeId, log,
            () -> directory.purgeNode(nodeId))
        .onSuccess(departed -> {
          departed.forEach(membership::announce);
          log.info("node {} left the cluster; {} of its members left their rooms", nodeId,
              departed.values().stream().mapToInt(purge -> purge.departures().size()).sum());
        });
    Retry.withBackoff(vertx, ATTEMPTS, "settling the sends dead node " + nodeId + " had in flight", log,
            () -> messages.settleSendsOf(nodeId))
        .onSuccess(settled -> {
          if (settled > 0) {
            log.info("settled {} sends that node {} had in flight", settled, nodeId);
          }
        });
  }
}
