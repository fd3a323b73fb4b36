package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.protocol.ChatMessage;
import io.parley.store.CidStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Sent cids, cluster-wide, in the Hazelcast map {@code parley.cids} with a TTL of the dedup window: key
 * {@code room/nick/cid}, value {@code pending:<node id>} while the first send is being stored (so that the purge
 * after that node's death can settle it), then the id it was stored under. A repeat reads that message back from
 * the room's ring (repeats are rare; ids are small, messages are not).
 */
public final class HazelcastCidStore implements CidStore {

  private static final String PENDING = "pending:";
  /** How far back the settling of a claim looks for its message. */
  private static final int SETTLE_SCAN = 1000;

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> cids;
  private final String nodeId;
  private final Vertx vertx;

  public HazelcastCidStore(HazelcastInstance hazelcast, String nodeId, Vertx vertx) {
    this.hazelcast = hazelcast;
    this.cids = hazelcast.getMap("parley.cids");
    this.nodeId = nodeId;
    this.vertx = vertx;
  }

  @Override
  public Future<Claim> claim(String room, String nick, String cid, long windowMs) {
    return blocking(() -> {
      String existing = cids.putIfAbsent(CidStore.key(room, nick, cid), PENDING + nodeId, windowMs,
          TimeUnit.MILLISECONDS);
      return existing == null ? FRESH : existing.startsWith(PENDING) ? IN_FLIGHT : stored(room, Long.parseLong(existing));
    });
  }

  @Override
  public Future<Void> record(String nick, ChatMessage message, long windowMs) {
    return HazelcastFutures.onContext(vertx, cids.setAsync(CidStore.key(message.room(), nick, message.cid()),
        Long.toString(message.id()), windowMs, TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<Claim> settle(String room, String nick, String cid, long windowMs) {
    return blocking(() -> settle(CidStore.key(room, nick, cid), windowMs));
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
   * Looks for a claim's message among the room's newest (the append may have completed): records it, or releases
   * the claim. A message older than the room keeps ({@code HISTORY_SIZE}) cannot be found; its retry is then stored
   * again. Runs on a worker.
   */
  private Claim settle(String key, long windowMs) throws Exception {
    String[] parts = key.split("/", 3); // room/nick/cid: rooms and nicks have no '/'
    Ringbuffer<String> ring = HazelcastMessageLog.ring(hazelcast, parts[0]);
    long tail = ring.tailSequence();
    ChatMessage stored = HazelcastMessageLog.read(parts[0], ring, Math.max(ring.headSequence(), tail - SETTLE_SCAN + 1),
            tail).stream()
        .filter(m -> parts[1].equals(m.from()) && parts[2].equals(m.cid()))
        .findFirst().orElse(null);
    if (stored == null) {
      cids.remove(key);
      return FRESH;
    }
    cids.set(key, Long.toString(stored.id()), windowMs, TimeUnit.MILLISECONDS);
    return new Claim.Stored(stored.id(), stored);
  }

  /** A cid stored under {@code id}, with its message if the ring still keeps it. Runs on a worker. */
  private Claim stored(String room, long id) throws Exception {
    Ringbuffer<String> ring = HazelcastMessageLog.ring(hazelcast, room);
    long sequence = id - 1;
    if (sequence < ring.headSequence() || sequence > ring.tailSequence()) {
      return new Claim.Stored(id, null); // no longer kept
    }
    List<ChatMessage> found = HazelcastMessageLog.read(room, ring, sequence, sequence);
    return new Claim.Stored(id, found.isEmpty() ? null : found.get(0));
  }

  // IMap's blocking calls, and the ring's sequence reads, stay off the event loop; completions come back on the
  // calling context (the chat verticle's).
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
