package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.parley.chat.Directory;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Nicks and room members, cluster-wide, in two Hazelcast maps with a synchronous backup:
 * {@code parley.nicks} (nick to the Vert.x node id that holds it) and {@code parley.rooms} (room to a JSON
 * object of its members, nick to node id). Every change is an entry processor, so concurrent joins and leaves
 * on different nodes never overwrite each other.
 */
public final class HazelcastDirectory implements Directory {

  private final IMap<String, String> nicks;
  private final IMap<String, String> rooms;
  private final String nodeId;
  private final Vertx vertx;

  public HazelcastDirectory(HazelcastInstance hazelcast, String nodeId, Vertx vertx) {
    this.nicks = hazelcast.getMap("parley.nicks");
    this.rooms = hazelcast.getMap("parley.rooms");
    this.nodeId = nodeId;
    this.vertx = vertx;
  }

  @Override
  public Future<Boolean> claimNick(String nick) {
    return Future.fromCompletionStage(nicks.submitToKey(nick, new ClaimNick(nodeId)), vertx.getOrCreateContext());
  }

  @Override
  public Future<Void> releaseNick(String nick) {
    return Future.fromCompletionStage(nicks.removeAsync(nick), vertx.getOrCreateContext()).mapEmpty();
  }

  @Override
  public Future<Membership> join(String room, String nick) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new AddMember(nick, nodeId)), vertx.getOrCreateContext())
        .map(result -> new Membership(List.copyOf(new JsonObject(result).getJsonArray("members").getList()),
            new JsonObject(result).getBoolean("added")));
  }

  @Override
  public Future<Boolean> leave(String room, String nick) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new RemoveMember(nick)), vertx.getOrCreateContext());
  }

  @Override
  public Future<Map<String, Integer>> rooms() {
    return vertx.executeBlocking(() -> {
      Map<String, Integer> counts = new TreeMap<>();
      rooms.entrySet().forEach(entry -> counts.put(entry.getKey(), new JsonObject(entry.getValue()).size()));
      return counts;
    }, false);
  }

  @Override
  public Future<Map<String, List<String>>> purgeNode(String deadNode) {
    return vertx.executeBlocking(() -> {
      nicks.removeAll(Predicates.equal("this", deadNode));
      Map<String, List<String>> departed = new LinkedHashMap<>();
      rooms.executeOnEntries(new RemoveNode(deadNode)).forEach((room, removed) -> {
        if (!removed.isEmpty()) {
          departed.put(room, removed);
        }
      });
      return departed;
    }, false);
  }

  /** Sets nick -> node when the nick is free; true when it was. */
  static final class ClaimNick implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;

    ClaimNick(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() != null) {
        return false;
      }
      entry.setValue(node);
      return true;
    }
  }

  /** Adds nick -> node to a room; returns {"members":[sorted nicks],"added":bool} as JSON text. */
  static final class AddMember implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 1L;
    private final String nick;
    private final String node;

    AddMember(String nick, String node) {
      this.nick = nick;
      this.node = node;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      JsonObject members = entry.getValue() == null ? new JsonObject() : new JsonObject(entry.getValue());
      boolean added = !members.containsKey(nick);
      members.put(nick, node);
      entry.setValue(members.encode());
      return new JsonObject().put("members", new ArrayList<>(new TreeMap<>(members.getMap()).keySet()))
          .put("added", added).encode();
    }
  }

  /** Removes a nick from a room (the room stays, with its history); true when it was there. */
  static final class RemoveMember implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String nick;

    RemoveMember(String nick) {
      this.nick = nick;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return false;
      }
      JsonObject members = new JsonObject(entry.getValue());
      if (members.remove(nick) == null) {
        return false;
      }
      entry.setValue(members.encode());
      return true;
    }
  }

  /** Removes every member held by a node from a room; returns their nicks. */
  static final class RemoveNode implements EntryProcessor<String, String, List<String>> {
    private static final long serialVersionUID = 1L;
    private final String node;

    RemoveNode(String node) {
      this.node = node;
    }

    @Override
    public List<String> process(Map.Entry<String, String> entry) {
      JsonObject members = new JsonObject(entry.getValue());
      List<String> removed = new ArrayList<>();
      members.getMap().forEach((nick, owner) -> {
        if (node.equals(owner)) {
          removed.add(nick);
        }
      });
      if (!removed.isEmpty()) {
        removed.forEach(members::remove);
        entry.setValue(members.encode());
      }
      return removed;
    }
  }
}
