package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.ExtendedMapEntry;
import io.parley.store.Directory.Departure;
import io.parley.store.Directory;
import io.parley.store.MemoryDirectory;
import io.parley.store.Presence;
import io.parley.store.RoomMembers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Users and room members, cluster-wide, in two Hazelcast maps with a synchronous backup: {@code parley.nicks} (nick
 * to the user's JSON value, as {@link Presence} describes and changes it) and {@code parley.rooms} (room to its
 * {@link RoomMembers}). Every change is an entry processor running those rules where the entry lives, so concurrent
 * claims, joins and leaves on different nodes never overwrite each other. Room entries are objects in memory
 * ({@code in-memory-format OBJECT}) and each processor runs again on the backup rather than shipping the room: a
 * join into a room of 100,000 costs a tree insertion on two members, and its answer is at most a page of names. A user whose last
 * connection went is kept for its session's TTL (the entry's own TTL), then expires.
 */
public final class HazelcastDirectory implements Directory {

  /** Room to its {@link RoomMembers}, kept as objects ({@code conf/cluster.xml}): entry processors change them in place. */
  public static final String ROOMS_MAP = "parley.rooms";

  private final IMap<String, String> nicks;
  private final IMap<String, RoomMembers> rooms;
  private final String nodeId;
  private final Vertx vertx;
  /** {@code GUEST_SESSION_TTL_S}: how long a user without connections is kept (every node purges with it too). */
  private final long ttlMs;

  public HazelcastDirectory(HazelcastInstance hazelcast, String nodeId, Vertx vertx, long ttlMs) {
    this.ttlMs = ttlMs;
    this.nicks = hazelcast.getMap("parley.nicks");
    this.rooms = hazelcast.getMap(ROOMS_MAP);
    this.nodeId = nodeId;
    this.vertx = vertx;
  }

  @Override
  public Future<Claim> claimNick(String nick, String connection, String session, boolean vouched, long ttlMs) {
    return HazelcastFutures.onContext(vertx, nicks.submitToKey(nick, new ClaimNick(connection, nodeId, session, vouched,
        System.currentTimeMillis(), ttlMs, MemoryDirectory.newSession())))
        .map(text -> {
          JsonObject answer = new JsonObject(text);
          return new Claim(answer.getBoolean("granted"), answer.getString("session"));
        });
  }

  @Override
  public Future<Void> releaseNick(String nick, String connection) {
    return HazelcastFutures.onContext(vertx,
        nicks.submitToKey(nick, new ReleaseNick(connection, System.currentTimeMillis(), ttlMs))).mapEmpty();
  }

  @Override
  public Future<Membership> join(String room, String nick, String connection, int fullUpTo, int pageSize) {
    return HazelcastFutures.onContext(vertx, rooms.submitToKey(room, new AddMember(nick, connection, nodeId,
        Directory.firstVersion(System.currentTimeMillis()), fullUpTo, pageSize, false)));
  }

  @Override
  public Future<Left> leave(String room, String nick, String connection) {
    return HazelcastFutures.onContext(vertx, rooms.submitToKey(room, new RemoveMember(nick, connection)));
  }

  @Override
  public Future<Page> page(String room, String after, int limit) {
    return HazelcastFutures.onContext(vertx, rooms.submitToKey(room, new ReadPage(after, limit)));
  }

  @Override
  public Future<List<String>> members(String room) {
    return HazelcastFutures.onContext(vertx, rooms.submitToKey(room, new ReadAll()));
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    return HazelcastFutures.onContext(vertx, rooms.submitToKeys(new java.util.HashSet<>(names), new ReadCount()))
        .map(found -> {
          Map<String, Integer> counts = new LinkedHashMap<>();
          names.forEach(room -> counts.put(room, found.getOrDefault(room, 0)));
          return counts;
        });
  }

  @Override
  public Future<Map<String, Purge>> purgeNode(String deadNode) {
    long now = System.currentTimeMillis();
    long ttl = ttlMs;
    return vertx.executeBlocking(() -> {
      nicks.executeOnEntries(new ReleaseNode(deadNode, now, ttl));
      Map<String, Purge> purged = new LinkedHashMap<>();
      rooms.executeOnEntries(new RemoveNode(deadNode)).forEach((room, purge) -> {
        if (purge != null) {
          purged.put(room, purge);
        }
      });
      return purged;
    }, false);
  }

  /** Writes a user back: with no connection left, it lives only for its session's TTL (and a minute's slack). */
  private static void store(Map.Entry<String, String> entry, JsonObject user, long ttlMs) {
    if (Presence.connections(user).isEmpty() && entry instanceof ExtendedMapEntry<String, String> extended) {
      extended.setValue(user.encode(), ttlMs + 60_000, TimeUnit.MILLISECONDS);
    } else if (entry instanceof ExtendedMapEntry<String, String> extended) {
      extended.setValue(user.encode(), 0, TimeUnit.MILLISECONDS); // connected: no expiry (0: none)
    } else {
      entry.setValue(user.encode());
    }
  }

  /** {@link Presence#claim}; returns {"granted":bool,"session":s} as JSON text. */
  static final class ClaimNick implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 2L;
    private final String connection;
    private final String node;
    private final String session;
    private final boolean vouched;
    private final long now;
    private final long ttlMs;
    private final String newSession;

    ClaimNick(String connection, String node, String session, boolean vouched, long now, long ttlMs,
        String newSession) {
      this.connection = connection;
      this.node = node;
      this.session = session;
      this.vouched = vouched;
      this.now = now;
      this.ttlMs = ttlMs;
      this.newSession = newSession;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      JsonObject user = Presence.claim(entry.getValue() == null ? null : new JsonObject(entry.getValue()), connection,
          node, session, vouched, now, ttlMs, newSession);
      if (user == null) {
        return new JsonObject().put("granted", false).encode();
      }
      store(entry, user, ttlMs);
      return new JsonObject().put("granted", true).put("session", user.getString("session")).encode();
    }
  }

  /** {@link Presence#release}: lets go of one connection of a user (only that one: ids are unique). */
  static final class ReleaseNick implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 2L;
    private final String connection;
    private final long now;
    private final long ttlMs;

    ReleaseNick(String connection, long now, long ttlMs) {
      this.connection = connection;
      this.now = now;
      this.ttlMs = ttlMs;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      JsonObject user = Presence.release(entry.getValue() == null ? null : new JsonObject(entry.getValue()),
          connection, now);
      if (user == null) {
        return false;
      }
      store(entry, user, ttlMs);
      return true;
    }
  }

  /** {@link Presence#releaseNode}: the connections of a dead node, from every user. */
  static final class ReleaseNode implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final long now;
    private final long ttlMs;

    ReleaseNode(String node, long now, long ttlMs) {
      this.node = node;
      this.now = now;
      this.ttlMs = ttlMs;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return false;
      }
      JsonObject user = Presence.releaseNode(new JsonObject(entry.getValue()), node, now);
      if (user == null) {
        return false;
      }
      store(entry, user, ttlMs);
      return true;
    }
  }

  /**
   * {@link RoomMembers#join}, answered as a {@link Membership} (all members up to {@code fullUpTo}, else a page).
   * Its backup copy makes the same change and answers nothing.
   */
  static final class AddMember implements EntryProcessor<String, RoomMembers, Membership> {
    private static final long serialVersionUID = 3L;
    private final String nick;
    private final String connection;
    private final String node;
    private final long firstVersion;
    private final int fullUpTo;
    private final int pageSize;
    private final boolean backup;

    AddMember(String nick, String connection, String node, long firstVersion, int fullUpTo, int pageSize,
        boolean backup) {
      this.nick = nick;
      this.connection = connection;
      this.node = node;
      this.firstVersion = firstVersion;
      this.fullUpTo = fullUpTo;
      this.pageSize = pageSize;
      this.backup = backup;
    }

    @Override
    public Membership process(Map.Entry<String, RoomMembers> entry) {
      RoomMembers room = entry.getValue() == null ? new RoomMembers(firstVersion) : entry.getValue();
      int connections = room.connections();
      Membership membership = backup ? null : Directory.joinOf(room, nick, connection, node, fullUpTo, pageSize);
      if (backup) {
        room.join(nick, connection, node);
      }
      if (entry.getValue() == null || room.connections() != connections) {
        entry.setValue(room);
      }
      return membership;
    }

    @Override
    public EntryProcessor<String, RoomMembers, Membership> getBackupProcessor() {
      return new AddMember(nick, connection, node, firstVersion, fullUpTo, pageSize, true);
    }
  }

  /** {@link RoomMembers#leave}: the version the user's leaving made (or 0) and the count afterwards. */
  static final class RemoveMember implements EntryProcessor<String, RoomMembers, Left> {
    private static final long serialVersionUID = 3L;
    private final String nick;
    private final String connection;

    RemoveMember(String nick, String connection) {
      this.nick = nick;
      this.connection = connection;
    }

    @Override
    public Left process(Map.Entry<String, RoomMembers> entry) {
      RoomMembers room = entry.getValue();
      if (room == null) {
        return new Left(0, 0);
      }
      int connections = room.connections();
      long version = room.leave(nick, connection);
      if (room.isEmpty()) {
        entry.setValue(null);
      } else if (room.connections() != connections) {
        entry.setValue(room); // a connection went, whether or not its user did
      }
      return new Left(version, room.count());
    }
  }

  /** {@link RoomMembers#leaveNode}: every connection of a dead node, from a room; null when it held none there. */
  static final class RemoveNode implements EntryProcessor<String, RoomMembers, Purge> {
    private static final long serialVersionUID = 3L;
    private final String node;

    RemoveNode(String node) {
      this.node = node;
    }

    @Override
    public Purge process(Map.Entry<String, RoomMembers> entry) {
      RoomMembers room = entry.getValue();
      if (room == null) {
        return null;
      }
      int connections = room.connections();
      List<Departure> departures = room.leaveNode(node);
      if (room.connections() == connections) {
        return null; // nothing of the dead node's here: the entry stays as it is
      }
      entry.setValue(room.isEmpty() ? null : room);
      return new Purge(new ArrayList<>(departures), room.count());
    }
  }

  /** A page of a room's members ({@link Directory#pageOf}). */
  static final class ReadPage implements EntryProcessor<String, RoomMembers, Page>, ReadOnly {
    private static final long serialVersionUID = 1L;
    private final String after;
    private final int limit;

    ReadPage(String after, int limit) {
      this.after = after;
      this.limit = limit;
    }

    @Override
    public Page process(Map.Entry<String, RoomMembers> entry) {
      return Directory.pageOf(entry.getValue(), after, limit);
    }
  }

  /** Every member of a room, sorted (the server API's presence). */
  static final class ReadAll implements EntryProcessor<String, RoomMembers, List<String>>, ReadOnly {
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> process(Map.Entry<String, RoomMembers> entry) {
      return entry.getValue() == null ? new ArrayList<>() : entry.getValue().all();
    }
  }

  /** A room's member count, without shipping its members. */
  static final class ReadCount implements EntryProcessor<String, RoomMembers, Integer>, ReadOnly {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer process(Map.Entry<String, RoomMembers> entry) {
      return entry.getValue() == null ? 0 : entry.getValue().count();
    }
  }
}
