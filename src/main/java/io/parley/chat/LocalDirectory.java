package io.parley.chat;

import io.vertx.core.Future;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The directory of a node that runs alone. Confined to the chat verticle's event loop. */
public final class LocalDirectory implements Directory {

  private final Set<String> nicks = new HashSet<>();
  private final Map<String, Set<String>> rooms = new TreeMap<>();

  @Override
  public Future<Boolean> claimNick(String nick) {
    return Future.succeededFuture(nicks.add(nick));
  }

  @Override
  public Future<Void> releaseNick(String nick) {
    nicks.remove(nick);
    return Future.succeededFuture();
  }

  @Override
  public Future<Membership> join(String room, String nick) {
    Set<String> members = rooms.computeIfAbsent(room, r -> new TreeSet<>());
    boolean added = members.add(nick);
    return Future.succeededFuture(new Membership(List.copyOf(members), added));
  }

  @Override
  public Future<Boolean> leave(String room, String nick) {
    Set<String> members = rooms.get(room);
    return Future.succeededFuture(members != null && members.remove(nick));
  }

  @Override
  public Future<Map<String, Integer>> rooms() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    rooms.forEach((room, members) -> counts.put(room, members.size()));
    return Future.succeededFuture(counts);
  }

  @Override
  public Future<Map<String, List<String>>> purgeNode(String nodeId) {
    return Future.succeededFuture(Map.of()); // alone, there is no other node to die
  }
}
