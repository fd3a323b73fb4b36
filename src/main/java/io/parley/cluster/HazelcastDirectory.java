package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.ExtendedMapEntry;
import io.parley.store.Directory.Departure;
import io.parley.store.Directory;
import io.parley.store.MemoryDirectory;
import io.parley.store.Presence;
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
 * to the user's JSON value) and {@code parley.rooms} (room to its members and membership version), both as
 * {@link Presence} describes and changes them. Every change is an entry processor running {@link Presence}'s rules,
 * so concurrent claims, joins and leaves on different nodes never overwrite each other. A user whose last
 * connection went is kept for its session's TTL (the entry's own TTL), then expires.
 */
public final class HazelcastDirectory implements Directory {

  private final IMap<String, String> nicks;
  private final IMap<String, String> rooms;
  private final String nodeId;
  private final Vertx vertx;
  /** {@code GUEST_SESSION_TTL_S}: how long a user without connections is kept (every node purges with it too). */
  private final long ttlMs;

  public HazelcastDirectory(HazelcastInstance hazelcast, String nodeId, Vertx vertx, long ttlMs) {
    this.ttlMs = ttlMs;
    this.nicks = hazelcast.getMap("parley.nicks");
    this.rooms = hazelcast.getMap("parley.rooms");
    this.nodeId = nodeId;
    this.vertx = vertx;
  }

  @Override
  public Future<Claim> claimNick(String nick, String connection, String session, boolean vouched, long ttlMs) {
    return Future.fromCompletionStage(nicks.submitToKey(nick, new ClaimNick(connection, nodeId, session, vouched,
        System.currentTimeMillis(), ttlMs, MemoryDirectory.newSession())), vertx.getOrCreateContext())
        .map(text -> {
          JsonObject answer = new JsonObject(text);
          return new Claim(answer.getBoolean("granted"), answer.getString("session"));
        });
  }

  @Override
  public Future<Void> releaseNick(String nick, String connection) {
    return Future.fromCompletionStage(nicks.submitToKey(nick, new ReleaseNick(connection, System.currentTimeMillis(),
        ttlMs)), vertx.getOrCreateContext()).mapEmpty();
  }

  @Override
  public Future<Membership> join(String room, String nick, String connection) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new AddMember(nick, connection, nodeId,
        Directory.firstVersion(System.currentTimeMillis()))), vertx.getOrCreateContext())
        .map(text -> {
          JsonObject result = new JsonObject(text);
          return new Membership(List.copyOf(result.getJsonArray("members").getList()), result.getBoolean("added"),
              result.getLong("version"));
        });
  }

  @Override
  public Future<Long> leave(String room, String nick, String connection) {
    return Future.fromCompletionStage(rooms.submitToKey(room, new RemoveMember(nick, connection)),
        vertx.getOrCreateContext());
  }

  @Override
  public Future<List<String>> members(String room) {
    return vertx.executeBlocking(() -> rooms.get(room), false)
        .map(found -> Presence.members(found == null ? null : new JsonObject(found)));
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    return vertx.executeBlocking(() -> rooms.getAll(new java.util.HashSet<>(names)), false)
        .map(found -> {
          Map<String, Integer> counts = new LinkedHashMap<>();
          names.forEach(room -> counts.put(room, found.containsKey(room)
              ? Presence.memberCount(new JsonObject(found.get(room))) : 0));
          return counts;
        });
  }

  @Override
  public Future<Map<String, List<Departure>>> purgeNode(String deadNode) {
    long now = System.currentTimeMillis();
    long ttl = ttlMs;
    return vertx.executeBlocking(() -> {
      nicks.executeOnEntries(new ReleaseNode(deadNode, now, ttl));
      Map<String, List<Departure>> departed = new LinkedHashMap<>();
      rooms.executeOnEntries(new RemoveNode(deadNode)).forEach((room, removed) -> {
        if (!removed.isEmpty()) {
          departed.put(room, removed);
        }
      });
      return departed;
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

  /** {@link Presence#join}; returns {"members":[sorted nicks],"added":bool,"version":n} as JSON text. */
  static final class AddMember implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 2L;
    private final String nick;
    private final String connection;
    private final String node;
    private final long firstVersion;

    AddMember(String nick, String connection, String node, long firstVersion) {
      this.nick = nick;
      this.connection = connection;
      this.node = node;
      this.firstVersion = firstVersion;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      Presence.Change<Membership> change = Presence.join(entry.getValue() == null ? null
          : new JsonObject(entry.getValue()), nick, connection, node, firstVersion);
      entry.setValue(change.room().encode());
      Membership membership = change.result();
      return new JsonObject().put("members", new ArrayList<>(membership.members())).put("added", membership.added())
          .put("version", membership.version()).encode();
    }
  }

  /** {@link Presence#leave}: the version the user's leaving made, or 0. */
  static final class RemoveMember implements EntryProcessor<String, String, Long> {
    private static final long serialVersionUID = 2L;
    private final String nick;
    private final String connection;

    RemoveMember(String nick, String connection) {
      this.nick = nick;
      this.connection = connection;
    }

    @Override
    public Long process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return 0L;
      }
      Presence.Change<Long> change = Presence.leave(new JsonObject(entry.getValue()), nick, connection);
      if (change.result() > 0 || change.room() != null) {
        entry.setValue(change.room() == null ? null : change.room().encode());
      }
      return change.result();
    }
  }

  /** {@link Presence#leaveNode}: every connection of a dead node, from a room; the departures, with versions. */
  static final class RemoveNode implements EntryProcessor<String, String, List<Departure>> {
    private static final long serialVersionUID = 2L;
    private final String node;

    RemoveNode(String node) {
      this.node = node;
    }

    @Override
    public List<Departure> process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return List.of();
      }
      JsonObject before = new JsonObject(entry.getValue());
      Presence.Change<List<Departure>> change = Presence.leaveNode(before, node);
      if (change.room() != before) {
        entry.setValue(change.room() == null ? null : change.room().encode());
      }
      return new ArrayList<>(change.result());
    }
  }
}
