package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.chat.ChatMessage;
import io.parley.chat.MessageLog;
import io.parley.chat.MessageLogs;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

/**
 * Each room's messages in a Hazelcast ringbuffer {@code parley.log.<room>} with a synchronous backup. The
 * ringbuffer's sequence is the room's id (sequence + 1), so ids are strictly +1 per room across the cluster
 * whichever node appends, and every node reads the same history.
 */
public final class HazelcastMessageLog implements MessageLog {

  private static final String PENDING = "pending:";
  /** How far back the settling of a dead node's claims looks for their messages. */
  private static final int SETTLE_SCAN = 1000;

  private final HazelcastInstance hazelcast;
  private final Vertx vertx;
  private final IMap<String, String> epochs;
  private final IMap<String, String> cids;
  private final String nodeId;
  /** Epochs do not change while the cluster holds the room's history: each node asks once. */
  private final Map<String, String> knownEpochs = new ConcurrentHashMap<>();

  public HazelcastMessageLog(HazelcastInstance hazelcast, String nodeId, Vertx vertx) {
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.vertx = vertx;
    this.epochs = hazelcast.getMap("parley.epochs");
    this.cids = hazelcast.getMap("parley.cids");
  }

  @Override
  public Future<String> epoch(String room) {
    String known = knownEpochs.get(room);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String mine = MessageLogs.newEpoch();
    return blocking(() -> epochs.putIfAbsent(room, mine))
        .map(existing -> {
          String epoch = existing == null ? mine : existing;
          knownEpochs.put(room, epoch);
          return epoch;
        });
  }

  /** In flight, a claim is {@code pending:<node id>}, so that the purge after the node's death can settle it. */
  @Override
  public Future<Long> claimCid(String room, String nick, String cid, long windowMs) {
    return blocking(() -> cids.putIfAbsent(MessageLogs.cidKey(room, nick, cid), PENDING + nodeId, windowMs,
            TimeUnit.MILLISECONDS))
        .map(existing -> existing == null ? Sent.NEW : existing.startsWith(PENDING) ? Sent.IN_FLIGHT : Long.parseLong(existing));
  }

  @Override
  public Future<Long> settleCid(String room, String nick, String cid, long windowMs) {
    return blocking(() -> settle(MessageLogs.cidKey(room, nick, cid), windowMs));
  }

  @Override
  public Future<Void> recordCid(String room, String nick, String cid, long id, long windowMs) {
    return Future.fromCompletionStage(cids.setAsync(MessageLogs.cidKey(room, nick, cid), Long.toString(id), windowMs,
        TimeUnit.MILLISECONDS), vertx.getOrCreateContext());
  }

  @Override
  public Future<Integer> settleClaimsOf(String deadNode, long windowMs) {
    return blocking(() -> {
      int settled = 0;
      for (String key : cids.keySet(Predicates.equal("this", PENDING + deadNode))) {
        settle(key, windowMs);
        settled++;
      }
      return settled;
    });
  }

  /**
   * Looks for a claim's message among the room's newest (the append may have completed): records its id, or
   * releases the claim. A message older than the room keeps ({@code HISTORY_SIZE}) cannot be found; its retry is
   * then stored again. Runs on a worker.
   */
  private long settle(String key, long windowMs) throws Exception {
    String[] parts = key.split("/", 3); // room/nick/cid: rooms and nicks have no '/'
    Ringbuffer<String> ring = ring(parts[0]);
    long tail = ring.tailSequence();
    Long storedId = read(parts[0], ring, Math.max(ring.headSequence(), tail - SETTLE_SCAN + 1), tail).stream()
        .filter(m -> parts[1].equals(m.from()) && parts[2].equals(m.cid()))
        .map(ChatMessage::id).findFirst().orElse(null);
    if (storedId == null) {
      cids.remove(key);
      return Sent.NEW;
    }
    cids.set(key, Long.toString(storedId), windowMs, TimeUnit.MILLISECONDS);
    return storedId;
  }

  private Ringbuffer<String> ring(String room) {
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
  private static List<ChatMessage> read(String room, Ringbuffer<String> ring, long first, long last)
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
