package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.protocol.ChatMessage;
import io.parley.store.Epochs;
import io.parley.store.MessageLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each room's messages in a Hazelcast ringbuffer {@code parley.log.<room>} with a synchronous backup. The
 * ringbuffer's sequence is the room's id (sequence + 1), so ids are strictly +1 per room across the cluster
 * whichever node appends, and every node reads the same history.
 */
public final class HazelcastMessageLog implements MessageLog {

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final IMap<String, String> epochs;
  /** Epochs do not change while the cluster holds the room's history: each node asks once. */
  private final Map<String, String> knownEpochs = new ConcurrentHashMap<>();

  public HazelcastMessageLog(HazelcastInstance hazelcast, Vertx vertx) {
    this.hazelcast = hazelcast;
    this.vertx = vertx;
    this.epochs = hazelcast.getMap("parley.epochs");
  }

  @Override
  public Future<String> epoch(String room) {
    String known = knownEpochs.get(room);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String mine = Epochs.next();
    return blocking(() -> epochs.putIfAbsent(room, mine))
        .map(existing -> {
          String epoch = existing == null ? mine : existing;
          knownEpochs.put(room, epoch);
          return epoch;
        });
  }

  private Ringbuffer<String> ring(String room) {
    return ring(hazelcast, room);
  }

  /** The ring of a room's messages. */
  static Ringbuffer<String> ring(HazelcastInstance hazelcast, String room) {
    return hazelcast.getRingbuffer("parley.log." + room);
  }

  @Override
  public Future<ChatMessage> append(String room, String from, String text, String cid, long ts) {
    String stored = new JsonObject().put("from", from).put("text", text).put("ts", ts).put("cid", cid).encode();
    return Future.fromCompletionStage(ring(room).addAsync(stored, OverflowPolicy.OVERWRITE), vertx.getOrCreateContext())
        .map(sequence -> new ChatMessage(room, sequence + 1, from, text, ts, cid));
  }


  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return blocking(() -> {
      Ringbuffer<String> ring = ring(room);
      long tail = ring.tailSequence();
      long last = before == null ? tail : Math.min(tail, before - 2);
      long first = Math.max(ring.headSequence(), last - limit + 1);
      return new Slice(read(room, ring, first, last), tail + 1);
    });
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return blocking(() -> {
      Ringbuffer<String> ring = ring(room);
      long tail = ring.tailSequence();
      long first = Math.max(Math.max(ring.headSequence(), since), tail - limit + 1);
      return new Slice(read(room, ring, first, tail), tail + 1);
    });
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return blocking(() -> {
      Ringbuffer<String> ring = ring(room);
      long tail = ring.tailSequence();
      long first = Math.max(ring.headSequence(), firstId - 1);
      return new Slice(read(room, ring, first, Math.min(tail, lastId - 1)), tail + 1);
    });
  }

  @Override
  public Future<Long> lastId(String room) {
    return blocking(() -> ring(room).tailSequence() + 1);
  }

  /** Reads sequences first..last (inclusive) as messages, oldest first. Runs on a worker thread. */
  static List<ChatMessage> read(String room, Ringbuffer<String> ring, long first, long last)
      throws Exception {
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
