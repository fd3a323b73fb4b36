package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A durable store with a node's memory in front: each room's record and newest {@code HISTORY_SIZE} messages, as this
 * node stored them or read them for a join, answer joins and history while the database is down; a request it
 * cannot answer in full from them is still {@code unavailable}. A room unused for {@code ROOM_IDLE_EVICT_S} is
 * dropped from memory, and at most {@code CACHE_ROOMS_MAX} rooms are held (the least recently used goes first): the
 * cache is bounded by the rooms in use, not by the rooms ever created. In a cluster, a node's cache holds what it
 * stored and read, not what the others stored since. Confined to the chat verticle's event loop.
 */
public final class CachedMessageLog implements MessageLog {

  private final MessageLog store;
  private final int size;
  private final long idleMs;
  private final Map<String, Cached> rooms;
  private final long sweeps;
  private final Vertx vertx;

  private static final class Cached {
    RoomRecord record;
    RoomHistory recent; // contiguous newest messages, or null
    long usedAt;
  }

  public CachedMessageLog(Vertx vertx, MessageLog store, int size, long idleMs, int maxRooms) {
    this.vertx = vertx;
    this.store = store;
    this.size = size;
    this.idleMs = idleMs;
    this.rooms = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > maxRooms;
      }
    };
    this.sweeps = vertx.setPeriodic(Math.max(1000, idleMs / 4), id -> evictIdle());
  }

  /** How many rooms the cache holds now. */
  public int cachedRooms() {
    return rooms.size();
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    return store.append(room, from, text, cid, ts).onSuccess(appended -> {
      if (appended instanceof Appended.Stored stored) {
        remember(stored.message());
      }
    });
  }

  /** The newest page (a join's history) is remembered; a page further back is not (history reads fill nothing). */
  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return store.before(room, before, limit)
        .onSuccess(slice -> {
          if (before == null) {
            remember(room, slice);
          }
        })
        .recover(failure -> fromCache(failure, room, recent -> {
          long to = before == null ? recent.lastId() : Math.min(recent.lastId(), before - 1);
          // Only a whole page: a short one would read as "nothing older".
          return recent.firstId() <= Math.max(1, to - limit + 1) ? recent.before(before, limit) : null;
        }));
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return store.after(room, since, limit)
        .onSuccess(slice -> remember(room, slice))
        .recover(failure -> fromCache(failure, room, recent -> recent.firstId() <= since + 1
            ? recent.after(since, limit) : null));
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    // From the cache only when it holds the whole range: the fan-out fills gaps with this, and skips for good what
    // a successful answer lacks; a part of the range is no answer (the fan-out asks again).
    return store.between(room, firstId, lastId)
        .recover(failure -> fromCache(failure, room, recent -> recent.firstId() <= firstId
            && recent.lastId() >= lastId ? recent.between(firstId, lastId) : null));
  }

  @Override
  public Future<Long> lastId(String room) {
    return store.lastId(room).recover(failure -> fromCache(failure, room, recent -> List.of()).map(Slice::lastId));
  }

  @Override
  public Future<RoomRecord> room(String room) {
    return store.room(room).onSuccess(this::remember).recover(failure -> record(failure, room));
  }

  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members) {
    return store.createRoom(room, maxRooms, kind, members).onSuccess(this::remember)
        .recover(failure -> record(failure, room));
  }

  @Override
  public Future<List<RoomRecord>> rooms(String nick, String after, int limit) {
    return store.rooms(nick, after, limit);
  }

  /**
   * Stored by the store; the recent messages this node holds follow it: the target's new state, its redacted edits
   * (a deletion), and the event as the room's next message.
   */
  @Override
  public Future<Changed> change(String room, RoomChange change) {
    return store.change(room, change).onSuccess(changed -> {
      Cached cached = rooms.get(room);
      if (changed.target() != null && cached != null && cached.recent != null) {
        cached.recent.replace(changed.target());
        if (change.kind() == RoomChange.Kind.DELETE) {
          cached.recent.redactEditsOf(changed.target().id());
        }
      }
      remember(changed.event());
    });
  }

  // Standings, access lists and read markers are not cached: while the database is down, they are unavailable.

  @Override
  public Future<Standing> standing(String room, String nick) {
    return store.standing(room, nick);
  }

  @Override
  public Future<Map<String, Standing>> standings(String room) {
    return store.standings(room);
  }

  @Override
  public Future<Access> access(String room, String nick) {
    return store.access(room, nick);
  }

  @Override
  public Future<Map<String, Access>> accessOf(String nick, List<String> rooms) {
    return store.accessOf(nick, rooms);
  }

  @Override
  public Future<Map<String, Access>> accessList(String room) {
    return store.accessList(room);
  }

  @Override
  public Future<Access> grant(String room, String nick, Access access) {
    return store.grant(room, nick, access);
  }

  @Override
  public Future<Boolean> revoke(String room, String nick) {
    return store.revoke(room, nick);
  }

  @Override
  public Future<Long> markRead(String room, String nick, long id) {
    return store.markRead(room, nick, id);
  }

  @Override
  public Future<Map<String, Long>> readMarkers(String nick, List<String> rooms) {
    return store.readMarkers(nick, rooms);
  }

  @Override
  public Future<Integer> settleSendsOf(String nodeId) {
    return store.settleSendsOf(nodeId);
  }

  @Override
  public Future<Long> prune(int retentionDays, int maxPerRoom) {
    return store.prune(retentionDays, maxPerRoom);
  }

  @Override
  public boolean available() {
    return store.available();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(sweeps);
    return store.close();
  }

  private Cached cached(String room) {
    Cached cached = rooms.computeIfAbsent(room, r -> new Cached());
    cached.usedAt = System.currentTimeMillis();
    return cached;
  }

  private void remember(RoomRecord record) {
    if (record != null) {
      cached(record.name()).record = record;
    }
  }

  /** A message this node stored: the next of the room's recent ones, or the start of them. */
  private void remember(ChatMessage message) {
    Cached cached = cached(message.room());
    if (cached.recent == null || cached.recent.lastId() != message.id() - 1) {
      cached.recent = new RoomHistory(size, message.id() - 1);
    }
    cached.recent.append(message);
  }

  /** What was read, if it reaches the room's newest message: the recent ones from its first on. */
  private void remember(String room, Slice slice) {
    List<ChatMessage> messages = slice.messages();
    if (messages.isEmpty() || messages.get(messages.size() - 1).id() != slice.lastId()) {
      return;
    }
    Cached cached = cached(room);
    if (cached.recent != null && cached.recent.lastId() >= slice.lastId()) {
      return; // holds as new a window already (the read may have started before a send this node stored)
    }
    RoomHistory recent = new RoomHistory(size, messages.get(0).id() - 1);
    messages.forEach(recent::append);
    cached.recent = recent;
  }

  /** What {@code read} answers from the room's recent messages (null: it cannot in full), if the store is down. */
  private Future<Slice> fromCache(Throwable failure, String room, Function<RoomHistory, List<ChatMessage>> read) {
    Cached cached = rooms.get(room);
    List<ChatMessage> found = cached == null || cached.recent == null ? null : read.apply(cached.recent);
    if (!unavailable(failure) || found == null) {
      return Future.failedFuture(failure);
    }
    cached.usedAt = System.currentTimeMillis();
    return Future.succeededFuture(new Slice(found, cached.recent.lastId()));
  }

  private Future<RoomRecord> record(Throwable failure, String room) {
    Cached cached = rooms.get(room);
    if (!unavailable(failure) || cached == null || cached.record == null) {
      return Future.failedFuture(failure);
    }
    long lastId = cached.recent == null ? cached.record.lastId() : Math.max(cached.record.lastId(), cached.recent.lastId());
    RoomRecord record = cached.record;
    return Future.succeededFuture(new RoomRecord(room, record.epoch(), record.created(), lastId, record.lastActive(),
        record.kind(), record.owner()));
  }

  private static boolean unavailable(Throwable failure) {
    return failure instanceof ProtocolException e && e.code() == ErrorCode.UNAVAILABLE;
  }

  private void evictIdle() {
    long now = System.currentTimeMillis();
    rooms.values().removeIf(cached -> now - cached.usedAt > idleMs);
  }
}
