package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once-per-cid sending for the memory stores, whose append and cid record are two operations: claim the cid,
 * store, record what was stored; a store that failed midway is settled against the room. (The SQL stores do it in
 * their transaction.)
 */
public final class CidDedup {

  private static final Logger log = LoggerFactory.getLogger(CidDedup.class);

  private final CidStore cids;
  private final long windowMs;

  public CidDedup(CidStore cids, long windowMs) {
    this.cids = cids;
    this.windowMs = windowMs;
  }

  /** Stores with {@code store} unless {@code from} used {@code cid} (not null) in {@code room} within the window. */
  public Future<Appended> append(String room, String from, String cid, Supplier<Future<ChatMessage>> store) {
    if (cid == null) {
      return store.get().map(Appended.Stored::new);
    }
    return cids.claim(room, from, cid, windowMs).compose(claim -> {
      if (claim instanceof CidStore.Claim.Stored stored) {
        return Future.succeededFuture(new Appended.Repeated(stored.id(), stored.message()));
      }
      if (claim instanceof CidStore.Claim.InFlight) {
        return Future.succeededFuture(new Appended.Repeated(0, null));
      }
      return store.get().transform(appended -> appended.succeeded()
          ? recorded(from, appended.result())
          // Perhaps stored after all (a timeout): settle the claim against the room before failing.
          : cids.settle(room, from, cid, windowMs).transform(settled -> Future.failedFuture(appended.cause())));
    });
  }

  /** The sends a dead node had in flight. */
  public Future<Integer> settleClaimsOf(String nodeId) {
    return cids.settleClaimsOf(nodeId, windowMs);
  }

  /**
   * Stored: whatever happens to the record, the answer is the message (a failed record leaves the claim in flight,
   * which blocks a retry, rather than let a retry store it twice).
   */
  private Future<Appended> recorded(String from, ChatMessage message) {
    return cids.record(from, message, windowMs).transform(recorded -> {
      if (recorded.failed()) {
        log.warn("could not record cid {} of {} in {}: {}", message.cid(), from, message.room(), recorded.cause().toString());
      }
      return Future.succeededFuture(new Appended.Stored(message));
    });
  }
}
