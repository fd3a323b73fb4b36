package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.protocol.ChatMessage;
import io.parley.store.Appended;
import io.parley.store.CidDedup;
import io.parley.store.Epochs;
import io.parley.store.MessageLog;
import io.parley.store.RoomAccess;
import io.parley.store.RoomChange;
import io.parley.store.RoomChanges;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * A cluster's rooms in memory ({@code STORAGE=memory}): each room's messages in a Hazelcast ringbuffer
 * {@code parley.log.<room>} ({@code HISTORY_SIZE} of them) with a synchronous backup, its record in the map
 * {@code parley.room-records} (JSON: epoch, created, kind, owner), a private or direct room's access list in
 * {@code parley.access} (room to JSON {@code {nick: access}}), and each nick's read markers in {@code parley.read}
 * (nick to JSON {@code {room: id}}); grants, revocations and markers are entry processors, so that nodes changing
 * one entry at once never overwrite each other. The ringbuffer's sequence is the room's id (sequence + 1), so ids are strictly +1 per
 * room whichever node appends. Everything is gone when the whole cluster stops; and a network split can give an id
 * twice (the two sides each hold a copy of the ring): the durable stores decide ids in their database instead.
 * Reads of a room without a record touch no ring, so that they create nothing.
 *
 * <p>A ringbuffer's items cannot be changed, so a change to a room (an edit, a deletion, a reaction) appends its
 * event to the ring and keeps the changed message's new state in {@code parley.changed} (room to JSON
 * {@code {id: frame}}, entries older than the ring's head dropped as it moves); every read lays those states over
 * what the ring holds. Standings (roles, bans, mutes) are in {@code parley.standing} (room to JSON
 * {@code {nick: standing}}). A change holds the room's lock on {@code parley.changed} from reading its target to
 * appending its event, so two changes of one message never lose one another.
 */
public final class HazelcastMessageLog implements MessageLog {

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final IMap<String, String> records;
  private final IMap<String, String> access;
  private final IMap<String, String> markers;
  private final IMap<String, String> changed;
  private final IMap<String, String> standings;
  private final CidDedup dedup;

  public HazelcastMessageLog(HazelcastInstance hazelcast, String nodeId, Vertx vertx, long dedupWindowMs) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.records = hazelcast.getMap("parley.room-records");
    this.access = hazelcast.getMap("parley.access");
    this.markers = hazelcast.getMap("parley.read");
    this.changed = hazelcast.getMap("parley.changed");
    this.standings = hazelcast.getMap("parley.standing");
    this.dedup = new CidDedup(new HazelcastCidStore(hazelcast, nodeId, vertx), dedupWindowMs);
  }

  static Ringbuffer<String> ring(HazelcastInstance hazelcast, String room) {
    return hazelcast.getRingbuffer("parley.log." + room);
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    String stored = new JsonObject().put("from", from).put("text", text).put("ts", ts).put("cid", cid).encode();
    return dedup.append(room, from, cid, () -> HazelcastFutures.onContext(vertx,
            ring(hazelcast, room).addAsync(stored, OverflowPolicy.OVERWRITE))
        .map(sequence -> new ChatMessage(room, sequence + 1, from, text, ts, cid)));
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long last = before == null ? tail : Math.min(tail, before - 2);
      long first = Math.max(ring.headSequence(), last - limit + 1);
      return new Slice(current(room, read(room, ring, first, last)), tail + 1);
    });
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long first = Math.max(Math.max(ring.headSequence(), since), tail - limit + 1);
      return new Slice(current(room, read(room, ring, first, tail)), tail + 1);
    });
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long first = Math.max(ring.headSequence(), firstId - 1);
      return new Slice(current(room, read(room, ring, first, Math.min(tail, lastId - 1))), tail + 1);
    });
  }

  @Override
  public Future<Long> lastId(String room) {
    return ifKnown(room, ring -> new Slice(List.of(), ring.tailSequence() + 1)).map(Slice::lastId);
  }

  @Override
  public Future<RoomRecord> room(String room) {
    return blocking(() -> {
      String record = records.get(room);
      return record == null ? null : record(room, record, ring(hazelcast, room).tailSequence() + 1);
    });
  }

  /**
   * The record first, then (for the node whose record won) the access list it starts with: a map entry each, so not
   * in one transaction; in between, a new private or direct room has nobody on its list (nobody sees it), never
   * someone else's list.
   */
  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members) {
    Map<String, Access> initial;
    try {
      initial = RoomAccess.initial(kind, members);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    String owner = RoomAccess.owner(kind, members);
    return blocking(() -> {
      String record = records.get(room);
      if (record == null) {
        if (records.size() >= maxRooms) {
          return null;
        }
        long now = System.currentTimeMillis();
        String mine = new JsonObject().put("epoch", Epochs.next()).put("created", now).put("kind", kind.code())
            .put("owner", owner).encode();
        String theirs = records.putIfAbsent(room, mine);
        record = theirs == null ? mine : theirs;
        if (theirs == null) {
          // The list it starts with: whatever a grant to the room before it existed left there is dropped.
          if (initial.isEmpty()) {
            access.delete(room);
          } else {
            JsonObject list = new JsonObject();
            initial.forEach((nick, held) -> list.put(nick, held.code()));
            access.set(room, list.encode());
          }
        }
      }
      return record(room, record, ring(hazelcast, room).tailSequence() + 1);
    });
  }

  /** By name, a chunk of records at a time; the access lists of a chunk's private and direct rooms read at once. */
  @Override
  public Future<List<RoomRecord>> rooms(String nick, String after, int limit) {
    return blocking(() -> {
      List<RoomRecord> page = new ArrayList<>();
      java.util.NavigableSet<String> names = new TreeSet<>(records.keySet());
      List<String> tail = new ArrayList<>(after == null ? names : names.tailSet(after, false));
      int chunkSize = Math.max(limit, 50);
      for (int from = 0; from < tail.size() && page.size() < limit; from += chunkSize) {
        List<String> chunk = tail.subList(from, Math.min(tail.size(), from + chunkSize));
        Map<String, String> stored = records.getAll(new HashSet<>(chunk));
        Set<String> restricted = new HashSet<>();
        stored.forEach((room, record) -> {
          if (kind(new JsonObject(record)).restricted()) {
            restricted.add(room);
          }
        });
        Map<String, String> lists = nick == null || restricted.isEmpty() ? Map.of() : access.getAll(restricted);
        for (String room : chunk) {
          if (page.size() == limit) {
            break;
          }
          String record = stored.get(room);
          if (record != null && (!restricted.contains(room) || holds(lists.get(room), nick))) {
            page.add(record(room, record, ring(hazelcast, room).tailSequence() + 1));
          }
        }
      }
      return page;
    });
  }

  private static boolean holds(String list, String nick) {
    return list != null && new JsonObject(list).containsKey(nick);
  }

  @Override
  public Future<Access> access(String room, String nick) {
    return blocking(() -> {
      String list = access.get(room);
      String held = list == null ? null : new JsonObject(list).getString(nick);
      return held == null ? null : Access.fromCode(held);
    });
  }

  @Override
  public Future<Map<String, Access>> accessOf(String nick, List<String> rooms) {
    if (rooms.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return blocking(() -> {
      Map<String, Access> found = new HashMap<>();
      access.getAll(new HashSet<>(rooms)).forEach((room, list) -> {
        String held = new JsonObject(list).getString(nick);
        if (held != null) {
          found.put(room, Access.fromCode(held));
        }
      });
      return found;
    });
  }

  @Override
  public Future<Map<String, Access>> accessList(String room) {
    return blocking(() -> {
      Map<String, Access> found = new HashMap<>();
      String list = access.get(room);
      if (list != null) {
        new JsonObject(list).forEach(entry -> found.put(entry.getKey(), Access.fromCode((String) entry.getValue())));
      }
      return found;
    });
  }

  @Override
  public Future<Access> grant(String room, String nick, Access granted) {
    if (granted == null) {
      return Future.failedFuture(new IllegalArgumentException("no access to grant"));
    }
    return HazelcastFutures.onContext(vertx, access.submitToKey(room, new Grant(nick, granted.code())))
        .map(before -> before == null ? null : Access.fromCode(before));
  }

  @Override
  public Future<Boolean> revoke(String room, String nick) {
    return HazelcastFutures.onContext(vertx, access.submitToKey(room, new Revoke(nick)));
  }

  @Override
  public Future<Long> markRead(String room, String nick, long id) {
    return HazelcastFutures.onContext(vertx, markers.submitToKey(nick, new MarkRead(room, id)));
  }

  @Override
  public Future<Map<String, Long>> readMarkers(String nick, List<String> rooms) {
    return blocking(() -> {
      Map<String, Long> found = new HashMap<>();
      String stored = markers.get(nick);
      if (stored != null) {
        JsonObject ofNick = new JsonObject(stored);
        for (String room : rooms) {
          Long marker = ofNick.getLong(room);
          if (marker != null) {
            found.put(room, marker);
          }
        }
      }
      return found;
    });
  }

  /** Raises a nick's access in a room's list (never lowers it); returns the access before (its code, or null). */
  static final class Grant implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 1L;
    private final String nick;
    private final String access;

    Grant(String nick, String access) {
      this.nick = nick;
      this.access = access;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      JsonObject list = entry.getValue() == null ? new JsonObject() : new JsonObject(entry.getValue());
      String before = list.getString(nick);
      Access after = RoomAccess.raised(before == null ? null : Access.fromCode(before), Access.fromCode(access));
      if (!after.code().equals(before)) {
        entry.setValue(list.put(nick, after.code()).encode());
      }
      return before;
    }
  }

  /** Takes a nick off a room's list (a list left empty is removed); true when it was on it. */
  static final class Revoke implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String nick;

    Revoke(String nick) {
      this.nick = nick;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null) {
        return false;
      }
      JsonObject list = new JsonObject(entry.getValue());
      if (list.remove(nick) == null) {
        return false;
      }
      entry.setValue(list.isEmpty() ? null : list.encode());
      return true;
    }
  }

  /** Moves a nick's marker in a room forward (never back), in its {@code {room: id}}; returns the marker. */
  static final class MarkRead implements EntryProcessor<String, String, Long> {
    private static final long serialVersionUID = 1L;
    private final String room;
    private final long id;

    MarkRead(String room, long id) {
      this.room = room;
      this.id = id;
    }

    @Override
    public Long process(Map.Entry<String, String> entry) {
      JsonObject markers = entry.getValue() == null ? new JsonObject() : new JsonObject(entry.getValue());
      Long before = markers.getLong(room);
      if (before != null && before >= id) {
        return before;
      }
      entry.setValue(markers.put(room, id).encode());
      return id;
    }
  }

  /** {@code held} with the changed messages' current states laid over them. */
  private List<ChatMessage> current(String room, List<ChatMessage> held) {
    if (held.isEmpty()) {
      return held;
    }
    String states = changed.get(room);
    if (states == null) {
      return held;
    }
    JsonObject byId = new JsonObject(states);
    List<ChatMessage> out = new ArrayList<>(held.size());
    for (ChatMessage m : held) {
      JsonObject state = byId.getJsonObject(Long.toString(m.id()));
      out.add(state == null ? m : ChatMessage.fromJson(state));
    }
    return out;
  }

  /**
   * Under the room's lock: the target's current state, the change applied ({@link RoomChanges}), the event appended
   * to the ring, then the new states (target, and a deletion's redacted edits) or the standing kept.
   */
  @Override
  public Future<Changed> change(String room, RoomChange change) {
    return blocking(() -> {
      changed.lock(room);
      try {
        Ringbuffer<String> ring = ring(hazelcast, room);
        JsonObject states = Optional.ofNullable(changed.get(room)).map(JsonObject::new).orElseGet(JsonObject::new);
        ChatMessage target = null;
        List<ChatMessage> redacted = new ArrayList<>();
        if (change.kind().aboutMessage()) {
          long tail = ring.tailSequence();
          long sequence = change.target() - 1;
          ChatMessage held = sequence < ring.headSequence() || sequence > tail ? null
              : current(room, read(room, ring, sequence, sequence)).stream().findFirst().orElse(null);
          target = RoomChanges.apply(held, change); // a refusal: nothing written
          if (change.kind() == RoomChange.Kind.DELETE) {
            long first = Math.max(ring.headSequence(), change.target());
            for (ChatMessage later : current(room, read(room, ring, first, tail))) {
              if (RoomChange.Kind.EDIT.code().equals(later.kind()) && later.target() == change.target()) {
                redacted.add(RoomChanges.redacted(later));
              }
            }
          }
        } else {
          JsonObject ofRoom = Optional.ofNullable(standings.get(room)).map(JsonObject::new).orElseGet(JsonObject::new);
          Standing after = RoomChanges.standing(Standing.fromJson(ofRoom.getJsonObject(change.nick())), change);
          if (after.isEmpty()) {
            ofRoom.remove(change.nick());
          } else {
            ofRoom.put(change.nick(), after.toJson());
          }
          if (ofRoom.isEmpty()) {
            standings.delete(room);
          } else {
            standings.set(room, ofRoom.encode());
          }
        }
        // The id is the ring's: the event is appended first, and its id is what the ring gave it.
        ChatMessage draft = RoomChanges.event(room, 0, change, target);
        JsonObject stored = draft.toJson();
        stored.remove("room");
        stored.remove("id");
        long sequence = ring.addAsync(stored.encode(), OverflowPolicy.OVERWRITE).toCompletableFuture().get();
        ChatMessage event = RoomChanges.event(room, sequence + 1, change, target);
        if (target != null) {
          states.put(Long.toString(target.id()), target.toJson());
          redacted.forEach(edit -> states.put(Long.toString(edit.id()), edit.toJson()));
          long head = ring.headSequence() + 1;
          states.fieldNames().removeIf(id -> Long.parseLong(id) < head);
          changed.set(room, states.encode());
        }
        return new Changed(event, target);
      } finally {
        changed.unlock(room);
      }
    });
  }

  @Override
  public Future<Standing> standing(String room, String nick) {
    return blocking(() -> {
      String ofRoom = standings.get(room);
      return ofRoom == null ? Standing.NONE : Standing.fromJson(new JsonObject(ofRoom).getJsonObject(nick));
    });
  }

  @Override
  public Future<Map<String, Standing>> standings(String room) {
    return blocking(() -> {
      Map<String, Standing> found = new HashMap<>();
      String ofRoom = standings.get(room);
      if (ofRoom != null) {
        new JsonObject(ofRoom).forEach(e -> found.put(e.getKey(), Standing.fromJson((JsonObject) e.getValue())));
      }
      return found;
    });
  }

  @Override
  public Future<Integer> settleSendsOf(String nodeId) {
    return dedup.settleClaimsOf(nodeId);
  }

  private static RoomRecord record(String room, String stored, long lastId) {
    JsonObject json = new JsonObject(stored);
    long created = json.getLong("created");
    return new RoomRecord(room, json.getString("epoch"), created, lastId, created, kind(json), json.getString("owner"));
  }

  /** A record's kind; public when it has none (a record written before rooms had kinds). */
  private static RoomKind kind(JsonObject record) {
    String kind = record.getString("kind");
    return kind == null ? RoomKind.PUBLIC : RoomKind.fromCode(kind);
  }

  /** What a ring of a room with a record answers; a room without one is empty, and gets no ring. */
  private interface RingRead {
    Slice apply(Ringbuffer<String> ring) throws Exception;
  }

  private Future<Slice> ifKnown(String room, RingRead read) {
    return blocking(() -> records.containsKey(room) ? read.apply(ring(hazelcast, room)) : new Slice(List.of(), 0));
  }

  /** Reads sequences first..last (inclusive) as messages, oldest first. Runs on a worker thread. */
  static List<ChatMessage> read(String room, Ringbuffer<String> ring, long first, long last) throws Exception {
    List<ChatMessage> out = new ArrayList<>();
    long next = first;
    while (next <= last) {
      int count = (int) Math.min(1000, last - next + 1);
      ReadResultSet<String> batch = ring.readManyAsync(next, 0, count, null).toCompletableFuture().get();
      if (batch.size() == 0) {
        break;
      }
      for (int i = 0; i < batch.size() && batch.getSequence(i) <= last; i++) {
        JsonObject stored = new JsonObject(batch.get(i));
        out.add(ChatMessage.fromJson(stored.put("room", room).put("id", batch.getSequence(i) + 1)));
      }
      next = batch.getNextSequenceToReadFrom();
    }
    return out;
  }

  // Sequence reads (head, tail) are blocking calls in Hazelcast's API: keep them off the event loop.
  // Completions come back on the calling context (the chat verticle's).
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
