package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.List;

/**
 * Each room's sequence and recent messages: in memory when a node runs alone ({@link MemoryMessageLog}), a
 * replicated Hazelcast ringbuffer per room in a cluster ({@code cluster.HazelcastMessageLog}).
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

  /** Messages and the room's newest id at the time they were read. */
  record Slice(List<ChatMessage> messages, long lastId) {
  }
}
