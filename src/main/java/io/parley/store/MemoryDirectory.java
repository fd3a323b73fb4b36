package io.parley.store;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The directory of a node that runs alone. Confined to the chat verticle's event loop. */
public final class MemoryDirectory implements Directory {

  private final Set<String> nicks = new HashSet<>();
  private final Map<String, Room> rooms = new HashMap<>();

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
    Room members = rooms.computeIfAbsent(room, r -> new Room(Directory.firstVersion(System.currentTimeMillis())));
    boolean added = members.nicks.add(nick);
    if (added) {
      members.version++;
    }
    return Future.succeededFuture(new Membership(List.copyOf(members.nicks), added, members.version));
  }

  @Override
  public Future<Long> leave(String room, String nick) {
    Room members = rooms.get(room);
    if (members == null || !members.nicks.remove(nick)) {
      return Future.succeededFuture(0L);
    }
    if (members.nicks.isEmpty()) {
      rooms.remove(room);
    }
    return Future.succeededFuture(++members.version);
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    names.forEach(room -> counts.put(room, rooms.containsKey(room) ? rooms.get(room).nicks.size() : 0));
    return Future.succeededFuture(counts);
  }

  @Override
  public Future<Map<String, List<Departure>>> purgeNode(String nodeId) {
    return Future.succeededFuture(Map.of()); // alone, there is no other node to die
  }

  /** A room's members, sorted, and its membership version. */
  private static final class Room {
    final Set<String> nicks = new TreeSet<>();
    long version;

    Room(long version) {
      this.version = version;
    }
  }
}
