package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.parley.protocol.ChatMessage;
import io.parley.store.CidStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Sent cids, cluster-wide, in the Hazelcast map {@code parley.cids} with a TTL of the dedup window: key
 * {@code room/nick/cid}, value {@code pending:<node id>} while the first send is being stored (so that the purge
 * after that node's death can settle it), then the stored message as JSON, which answers a repeat in one step.
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
    return blocking(() -> cids.putIfAbsent(CidStore.key(room, nick, cid), PENDING + nodeId, windowMs,
        TimeUnit.MILLISECONDS)).map(existing -> existing == null ? FRESH : claimOf(room, existing));
  }

  @Override
  public Future<Void> record(String nick, ChatMessage message, long windowMs) {
    return Future.fromCompletionStage(cids.setAsync(CidStore.key(message.room(), nick, message.cid()), encode(message),
        windowMs, TimeUnit.MILLISECONDS), vertx.getOrCreateContext());
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
    cids.set(key, encode(stored), windowMs, TimeUnit.MILLISECONDS);
    return new Claim.Stored(stored);
  }

  private static Claim claimOf(String room, String value) {
    if (value.startsWith(PENDING)) {
      return IN_FLIGHT;
    }
    JsonObject json = new JsonObject(value);
    return new Claim.Stored(new ChatMessage(room, json.getLong("id"), json.getString("from"), json.getString("text"),
        json.getLong("ts"), json.getString("cid")));
  }

  private static String encode(ChatMessage message) {
    return message.toJson().encode();
  }

  // IMap's blocking calls, and the ring's sequence reads, stay off the event loop; completions come back on the
  // calling context (the chat verticle's).
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
