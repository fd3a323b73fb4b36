package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;

/**
 * Which {@code cid}s each sender used in each room recently ({@code SEND_DEDUP_WINDOW_S}), cluster-wide: a send
 * repeated with one is answered with the message the first one stored, and stored nothing again. In memory alone
 * ({@link MemoryCidStore}), a Hazelcast map with a TTL in a cluster ({@code cluster.HazelcastCidStore}).
 */
public interface CidStore {

  /** What a claim found: nobody used the cid (it is now claimed), its first send is being stored, or it was. */
  sealed interface Claim {
    /** The cid is new: the caller stores the message, then {@link #record records} it. */
    record Fresh() implements Claim {
    }

    /** Its first send is being stored right now, here or on another node. */
    record InFlight() implements Claim {
    }

    /** It was stored under {@code id} as {@code message} (null if the room no longer keeps it). */
    record Stored(long id, ChatMessage message) implements Claim {
    }
  }

  Claim FRESH = new Claim.Fresh();
  Claim IN_FLIGHT = new Claim.InFlight();

  /** Claims a sender's cid in a room for {@code windowMs}, unless it is claimed already: then says how. */
  Future<Claim> claim(String room, String nick, String cid, long windowMs);

  /** The claimed cid was stored as {@code message}: repeats are answered with it for the rest of the window. */
  Future<Void> record(String nick, ChatMessage message, long windowMs);

  /**
   * Settles one claim whose store failed when it is unknown whether the message was stored (a timeout, a member
   * leaving mid-operation): if the room holds it, it is recorded ({@link Claim.Stored}); otherwise the claim is
   * released ({@link Claim.Fresh}), so that the sender's retry is stored.
   */
  Future<Claim> settle(String room, String nick, String cid, long windowMs);

  /**
   * Settles the claims a dead node left in flight: a cid whose message it stored is recorded, the others are
   * released, so that neither a retry is blocked nor a stored message is stored twice. Returns how many.
   */
  Future<Integer> settleClaimsOf(String nodeId, long windowMs);

  /** The key of a sender's cid in a room; the separators cannot occur in rooms and nicks. */
  static String key(String room, String nick, String cid) {
    return room + "/" + nick + "/" + cid;
  }
}
