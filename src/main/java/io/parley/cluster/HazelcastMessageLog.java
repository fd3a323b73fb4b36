package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.protocol.ChatMessage;
import io.parley.store.Appended;
import io.parley.store.CidDedup;
import io.parley.store.Epochs;
import io.parley.store.MessageLog;
import io.parley.store.RoomRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A cluster's rooms in memory ({@code STORAGE=memory}): each room's messages in a Hazelcast ringbuffer
 * {@code parley.log.<room>} ({@code HISTORY_SIZE} of them) with a synchronous backup, its record in the map
 * {@code parley.room-records}. The ringbuffer's sequence is the room's id (sequence + 1), so ids are strictly +1 per
 * room whichever node appends. Everything is gone when the whole cluster stops; and a network split can give an id
 * twice (the two sides each hold a copy of the ring): the durable stores decide ids in their database instead.
 * Reads of a room without a record touch no ring, so that they create nothing.
 */
public final class HazelcastMessageLog implements MessageLog {

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final IMap<String, String> records;
  private final CidDedup dedup;

  public HazelcastMessageLog(HazelcastInstance hazelcast, String nodeId, Vertx vertx, long dedupWindowMs) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.records = hazelcast.getMap("parley.room-records");
    this.dedup = new CidDedup(new HazelcastCidStore(hazelcast, nodeId, vertx), dedupWindowMs);
  }

  static Ringbuffer<String> ring(HazelcastInstance hazelcast, String room) {
    return hazelcast.getRingbuffer("parley.log." + room);
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    String stored = new JsonObject().put("from", from).put("text", text).put("ts", ts).put("cid", cid).encode();
    return dedup.append(room, from, cid, () -> Future.fromCompletionStage(
            ring(hazelcast, room).addAsync(stored, OverflowPolicy.OVERWRITE), vertx.getOrCreateContext())
        .map(sequence -> new ChatMessage(room, sequence + 1, from, text, ts, cid)));
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long last = before == null ? tail : Math.min(tail, before - 2);
      long first = Math.max(ring.headSequence(), last - limit + 1);
      return new Slice(read(room, ring, first, last), tail + 1);
    });
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long first = Math.max(Math.max(ring.headSequence(), since), tail - limit + 1);
      return new Slice(read(room, ring, first, tail), tail + 1);
    });
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return ifKnown(room, ring -> {
      long tail = ring.tailSequence();
      long first = Math.max(ring.headSequence(), firstId - 1);
      return new Slice(read(room, ring, first, Math.min(tail, lastId - 1)), tail + 1);
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

  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms) {
    return blocking(() -> {
      String record = records.get(room);
      if (record == null) {
        if (records.size() >= maxRooms) {
          return null;
        }
        long now = System.currentTimeMillis();
        String mine = new JsonObject().put("epoch", Epochs.next()).put("created", now).encode();
        String theirs = records.putIfAbsent(room, mine);
        record = theirs == null ? mine : theirs;
      }
      return record(room, record, ring(hazelcast, room).tailSequence() + 1);
    });
  }

  @Override
  public Future<List<RoomRecord>> rooms(String after, int limit) {
    return blocking(() -> {
      List<RoomRecord> page = new ArrayList<>();
      for (String room : new java.util.TreeSet<>(records.keySet())) {
        if (page.size() == limit) {
          break;
        }
        if (after == null || room.compareTo(after) > 0) {
          page.add(record(room, records.get(room), ring(hazelcast, room).tailSequence() + 1));
        }
      }
      return page;
    });
  }

  @Override
  public Future<Integer> settleSendsOf(String nodeId) {
    return dedup.settleClaimsOf(nodeId);
  }

  private static RoomRecord record(String room, String stored, long lastId) {
    JsonObject json = new JsonObject(stored);
    long created = json.getLong("created");
    return new RoomRecord(room, json.getString("epoch"), created, lastId, created);
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
        out.add(new ChatMessage(room, batch.getSequence(i) + 1, stored.getString("from"), stored.getString("text"),
            stored.getLong("ts"), stored.getString("cid")));
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
