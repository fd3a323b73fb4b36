package io.parley.chat;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Who holds which nick and who is in which room: node-wide when a node runs alone
 * ({@link LocalDirectory}), cluster-wide otherwise ({@code cluster.HazelcastDirectory}).
 */
public interface Directory {

  /** Claims a nick for a connection of this node; false when another connection anywhere holds it. */
  Future<Boolean> claimNick(String nick);

  Future<Void> releaseNick(String nick);

  /** Adds a nick to a room: the members afterwards (sorted), and whether the nick is new there. */
  Future<Membership> join(String room, String nick);

  /** Removes a nick from a room; false when it was not there. */
  Future<Boolean> leave(String room, String nick);

  /** Every room with its member count, sorted by name. */
  Future<Map<String, Integer>> rooms();

  /** Forgets what a dead node held: its nicks, and its members of each room (returned, to announce). */
  Future<Map<String, List<String>>> purgeNode(String nodeId);

  record Membership(List<String> members, boolean added) {
  }
}
