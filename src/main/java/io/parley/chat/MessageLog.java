package io.parley.chat;

import io.vertx.core.Future;
import java.util.List;

/**
 * Each room's sequence and recent messages: in memory when a node runs alone ({@link LocalMessageLog}),
 * a replicated Hazelcast ringbuffer per room otherwise ({@code cluster.HazelcastMessageLog}).
 */
public interface MessageLog {

  /** Stores a message under the room's next id; the future completes once it is durable (backed up). */
  Future<ChatMessage> append(String room, String from, String text, String cid, long ts);

  /** The newest {@code limit} messages with an id below {@code before} (null: all), oldest first. */
  Future<Slice> before(String room, Long before, int limit);

  /** The newest {@code limit} messages with an id above {@code since}, oldest first. */
  Future<Slice> after(String room, long since, int limit);

  /** The messages with ids {@code firstId..lastId} that the room still keeps, oldest first. */
  Future<Slice> between(String room, long firstId, long lastId);

  /** The room's newest id, 0 when it has none. */
  Future<Long> lastId(String room);

  /**
   * The room's epoch: set when its history begins, the same on every node, and new whenever its history and ids
   * start again (a lone node restarted, or a whole cluster). A client that saw another epoch must forget its ids.
   */
  Future<String> epoch(String room);

  /**
   * Claims a sender's {@code cid} in a room for {@code windowMs}: {@link Sent#NEW} when nobody sent it in that window
   * (the caller appends and then {@link #recordCid records} the id), else the id it was stored under, or
   * {@link Sent#IN_FLIGHT} while its first send is being stored. Cluster-wide.
   */
  Future<Long> claimCid(String room, String nick, String cid, long windowMs);

  /** Records the id a claimed {@code cid} was stored under, for the rest of its window. */
  Future<Void> recordCid(String room, String nick, String cid, long id, long windowMs);

  /**
   * Settles one claim whose append failed, when it is unknown whether the message was stored (a timeout, a member
   * leaving mid-operation): if the room holds it, its id is recorded; otherwise the claim is released, so that the
   * sender's retry is stored. Answers the id, or {@link Sent#NEW} when released.
   */
  Future<Long> settleCid(String room, String nick, String cid, long windowMs);

  /**
   * Settles the claims a dead node left in flight: a cid whose message it stored gets that id, the others are
   * released, so that neither a retry is blocked nor a stored message is stored twice. Returns how many.
   */
  Future<Integer> settleClaimsOf(String nodeId, long windowMs);

  /** What {@link #claimCid} answers besides an id. */
  final class Sent {
    public static final long NEW = 0;
    public static final long IN_FLIGHT = -1;

    private Sent() {
    }
  }

  /** Messages and the room's newest id at the time they were read. */
  record Slice(List<ChatMessage> messages, long lastId) {
  }
}
