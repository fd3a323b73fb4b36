package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ProtocolException;
import io.parley.store.MessageLog.Access;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The message log of a node that runs alone with {@code STORAGE=memory}: a {@link RoomHistory} of the newest
 * {@code HISTORY_SIZE} messages per room, in memory, forgotten when the process ends. Bounded by {@code MAX_ROOMS}.
 * Confined to the chat verticle's event loop.
 */
public final class MemoryMessageLog implements MessageLog {

  private final int historySize;
  private final CidDedup dedup;
  private final TreeMap<String, Room> rooms = new TreeMap<>();
  /** Access lists: room to nick to access. */
  private final Map<String, Map<String, Access>> access = new HashMap<>();
  /** Read markers: nick to room to the newest id read. */
  private final Map<String, Map<String, Long>> markers = new HashMap<>();
  /** Standings: room to nick to standing (none kept empty). */
  private final Map<String, Map<String, Standing>> standings = new HashMap<>();

  private static final class Room {
    final RoomHistory history;
    RoomRecord record;

    Room(RoomHistory history, RoomRecord record) {
      this.history = history;
      this.record = record;
    }
  }

  public MemoryMessageLog(int historySize, long dedupWindowMs) {
    this.historySize = historySize;
    this.dedup = new CidDedup(new MemoryCidStore(), dedupWindowMs);
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    return dedup.append(room, from, cid, () -> {
      Room kept = rooms.computeIfAbsent(room, r -> newRoom(r, ts));
      ChatMessage message = new ChatMessage(room, kept.history.nextId(), from, text, ts, cid);
      kept.history.append(message);
      RoomRecord record = kept.record;
      kept.record = new RoomRecord(room, record.epoch(), record.created(), message.id(), ts, record.kind(),
          record.owner());
      return Future.succeededFuture(message);
    });
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return slice(room, history -> history.before(before, limit));
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return slice(room, history -> history.after(since, limit));
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return slice(room, history -> history.between(firstId, lastId));
  }

  @Override
  public Future<Long> lastId(String room) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null ? 0L : kept.history.lastId());
  }

  @Override
  public Future<RoomRecord> room(String room) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null ? null : kept.record);
  }

  /** A room's history begins in this process: a new epoch per room and process. */
  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members) {
    Map<String, Access> initial;
    try {
      initial = RoomAccess.initial(kind, members);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Room kept = rooms.get(room);
    if (kept != null) {
      return Future.succeededFuture(kept.record);
    }
    if (rooms.size() >= maxRooms) {
      return Future.succeededFuture(null);
    }
    long now = System.currentTimeMillis();
    kept = new Room(new RoomHistory(historySize), new RoomRecord(room, Epochs.next(), now, 0, now, kind,
        RoomAccess.owner(kind, members)));
    rooms.put(room, kept);
    // The list it starts with: whatever a grant to the room before it existed left there is dropped.
    access.remove(room);
    if (!initial.isEmpty()) {
      access.put(room, new HashMap<>(initial));
    }
    return Future.succeededFuture(kept.record);
  }

  @Override
  public Future<List<RoomRecord>> rooms(String nick, String after, int limit) {
    Map<String, Room> tail = after == null ? rooms : rooms.tailMap(after, false);
    List<RoomRecord> page = new ArrayList<>(Math.min(limit, tail.size()));
    for (Map.Entry<String, Room> kept : tail.entrySet()) {
      if (page.size() == limit) {
        break;
      }
      RoomRecord record = kept.getValue().record;
      if (record.kind() == RoomKind.PUBLIC || (nick != null && list(kept.getKey()).containsKey(nick))) {
        page.add(record);
      }
    }
    return Future.succeededFuture(page);
  }

  /**
   * On the event loop, so at once: the target's new state (if it is still among the room's newest messages: else
   * {@code not_found}) or the member's standing, then the event under the next id.
   */
  @Override
  public Future<Changed> change(String room, RoomChange change) {
    Room kept = rooms.computeIfAbsent(room, r -> newRoom(r, change.ts()));
    RoomHistory history = kept.history;
    ChatMessage target = null;
    if (change.kind().aboutMessage()) {
      try {
        target = RoomChanges.apply(history.get(change.target()), change);
      } catch (ProtocolException refused) {
        return Future.failedFuture(refused);
      }
      history.replace(target);
      if (change.kind() == RoomChange.Kind.DELETE) {
        history.redactEditsOf(change.target());
      }
    } else {
      Map<String, Standing> ofRoom = standings.computeIfAbsent(room, r -> new HashMap<>());
      Standing after = RoomChanges.standing(ofRoom.get(change.nick()), change);
      if (after.isEmpty()) {
        ofRoom.remove(change.nick());
      } else {
        ofRoom.put(change.nick(), after);
      }
      if (ofRoom.isEmpty()) {
        standings.remove(room);
      }
    }
    ChatMessage event = RoomChanges.event(room, history.nextId(), change, target);
    history.append(event);
    RoomRecord record = kept.record;
    kept.record = new RoomRecord(room, record.epoch(), record.created(), event.id(),
        Math.max(record.lastActive(), event.ts()), record.kind(), record.owner());
    return Future.succeededFuture(new Changed(event, target));
  }

  @Override
  public Future<Standing> standing(String room, String nick) {
    return Future.succeededFuture(standings.getOrDefault(room, Map.of()).getOrDefault(nick, Standing.NONE));
  }

  @Override
  public Future<Map<String, Standing>> standings(String room) {
    return Future.succeededFuture(new HashMap<>(standings.getOrDefault(room, Map.of())));
  }

  @Override
  public Future<Access> access(String room, String nick) {
    return Future.succeededFuture(list(room).get(nick));
  }

  @Override
  public Future<Map<String, Access>> accessOf(String nick, List<String> rooms) {
    Map<String, Access> found = new HashMap<>();
    for (String room : rooms) {
      Access held = list(room).get(nick);
      if (held != null) {
        found.put(room, held);
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public Future<Map<String, Access>> accessList(String room) {
    return Future.succeededFuture(new HashMap<>(list(room)));
  }

  @Override
  public Future<Access> grant(String room, String nick, Access granted) {
    if (granted == null) {
      return Future.failedFuture(new IllegalArgumentException("no access to grant"));
    }
    Map<String, Access> list = access.computeIfAbsent(room, r -> new HashMap<>());
    Access before = list.get(nick);
    list.put(nick, RoomAccess.raised(before, granted));
    return Future.succeededFuture(before);
  }

  @Override
  public Future<Boolean> revoke(String room, String nick) {
    Map<String, Access> list = access.get(room);
    boolean had = list != null && list.remove(nick) != null;
    if (list != null && list.isEmpty()) {
      access.remove(room);
    }
    return Future.succeededFuture(had);
  }

  @Override
  public Future<Long> markRead(String room, String nick, long id) {
    return Future.succeededFuture(markers.computeIfAbsent(nick, n -> new HashMap<>()).merge(room, id, Math::max));
  }

  @Override
  public Future<Map<String, Long>> readMarkers(String nick, List<String> rooms) {
    Map<String, Long> ofNick = markers.getOrDefault(nick, Map.of());
    Map<String, Long> found = new HashMap<>();
    for (String room : rooms) {
      Long marker = ofNick.get(room);
      if (marker != null) {
        found.put(room, marker);
      }
    }
    return Future.succeededFuture(found);
  }

  private Map<String, Access> list(String room) {
    return access.getOrDefault(room, Map.of());
  }

  private Room newRoom(String room, long now) {
    return new Room(new RoomHistory(historySize), new RoomRecord(room, Epochs.next(), now, 0, now)); // public
  }

  private Future<Slice> slice(String room, Function<RoomHistory, List<ChatMessage>> read) {
    Room kept = rooms.get(room);
    return Future.succeededFuture(kept == null
        ? new Slice(List.of(), 0)
        : new Slice(read.apply(kept.history), kept.history.lastId()));
  }
}
