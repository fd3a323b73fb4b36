package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.parley.store.Directory.Departure;
import io.parley.store.Directory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Nicks and room members, cluster-wide, in two Hazelcast maps with a synchronous backup:
 * {@code parley.nicks} (nick to the Vert.x node id that holds it) and {@code parley.rooms} (room to a JSON
 * object {@code {"members":{nick: node id}, "version": n}}, the membership version that {@link Directory} describes). Every change is an entry processor, so concurrent joins and leaves
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
    return Future.fromCompletionStage(nicks.submitToKey(nick, new ReleaseNick(nodeId)), vertx.getOrCreateContext())
        .mapEmpty();
  }

  @Override
  public Future<Membership> join(String room, String nick) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new AddMember(nick, nodeId, Directory.firstVersion(System.currentTimeMillis()))), vertx.getOrCreateContext())
        .map(text -> {
          JsonObject result = new JsonObject(text);
          return new Membership(List.copyOf(result.getJsonArray("members").getList()), result.getBoolean("added"),
              result.getLong("version"));
        });
  }

  @Override
  public Future<Long> leave(String room, String nick) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new RemoveMember(nick, nodeId)), vertx.getOrCreateContext());
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    return vertx.executeBlocking(() -> rooms.getAll(new java.util.HashSet<>(names)), false)
        .map(found -> {
          Map<String, Integer> counts = new LinkedHashMap<>();
          names.forEach(room -> counts.put(room, found.containsKey(room)
              ? RoomEntry.parse(found.get(room)).members().size() : 0));
          return counts;
        });
  }

  @Override
  public Future<Map<String, List<Departure>>> purgeNode(String deadNode) {
    return vertx.executeBlocking(() -> {
      nicks.removeAll(Predicates.equal("this", deadNode));
      Map<String, List<Departure>> departed = new LinkedHashMap<>();
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

  /**
   * Lets go of a nick this node holds, and only then: after a split, another node may have claimed it while this
   * one was cut off, and the connection closing here must not free that claim.
   */
  static final class ReleaseNick implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;

    ReleaseNick(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (!node.equals(entry.getValue())) {
        return false;
      }
      entry.setValue(null);
      return true;
    }
  }

  /** A room's value in {@code parley.rooms}: its members (nick to node id) and membership version. */
  record RoomEntry(JsonObject members, long version) {

    static RoomEntry parse(String value) {
      if (value == null) {
        return new RoomEntry(new JsonObject(), 0);
      }
      JsonObject json = new JsonObject(value);
      return new RoomEntry(json.getJsonObject("members"), json.getLong("version"));
    }

    String encode() {
      return new JsonObject().put("members", members).put("version", version).encode();
    }
  }

  /** Adds nick -> node to a room; returns {"members":[sorted nicks],"added":bool,"version":n} as JSON text. */
  static final class AddMember implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 1L;
    private final String nick;
    private final String node;
    private final long firstVersion;

    AddMember(String nick, String node, long firstVersion) {
      this.nick = nick;
      this.node = node;
      this.firstVersion = firstVersion;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      RoomEntry room = entry.getValue() == null ? new RoomEntry(new JsonObject(), firstVersion)
          : RoomEntry.parse(entry.getValue());
      boolean added = !room.members().containsKey(nick);
      long version = added ? room.version() + 1 : room.version();
      room.members().put(nick, node);
      entry.setValue(new RoomEntry(room.members(), version).encode());
      return new JsonObject().put("members", new ArrayList<>(new TreeMap<>(room.members().getMap()).keySet()))
          .put("added", added).put("version", version).encode();
    }
  }

  /** Removes a nick from a room (the room stays, with its history); the new version, or 0 when it was not there. */
  static final class RemoveMember implements EntryProcessor<String, String, Long> {
    private static final long serialVersionUID = 1L;
    private final String nick;
    private final String node;

    RemoveMember(String nick, String node) {
      this.nick = nick;
      this.node = node;
    }

    @Override
    public Long process(Map.Entry<String, String> entry) {
      RoomEntry room = RoomEntry.parse(entry.getValue());
      // Only this node's member: after a split, another node may hold the nick (claimed while this one was away).
      if (!node.equals(room.members().getString(nick))) {
        return 0L;
      }
      room.members().remove(nick);
      long version = room.version() + 1;
      // An empty room is forgotten: the directory holds rooms with members only.
      entry.setValue(room.members().isEmpty() ? null : new RoomEntry(room.members(), version).encode());
      return version;
    }
  }

  /** Removes every member held by a node from a room; returns their departures, each with its version. */
  static final class RemoveNode implements EntryProcessor<String, String, List<Departure>> {
    private static final long serialVersionUID = 1L;
    private final String node;

    RemoveNode(String node) {
      this.node = node;
    }

    @Override
    public List<Departure> process(Map.Entry<String, String> entry) {
      RoomEntry room = RoomEntry.parse(entry.getValue());
      List<Departure> removed = new ArrayList<>();
      long version = room.version();
      for (String nick : new ArrayList<>(room.members().fieldNames())) {
        if (node.equals(room.members().getString(nick))) {
          room.members().remove(nick);
          removed.add(new Departure(nick, ++version));
        }
      }
      if (!removed.isEmpty()) {
        entry.setValue(room.members().isEmpty() ? null : new RoomEntry(room.members(), version).encode());
      }
      return removed;
    }
  }
}
