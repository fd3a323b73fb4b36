package io.parley.store;

import io.parley.protocol.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A room's sequence and its most recent messages, in a fixed ring. Ids are contiguous, so the message
 * with id {@code i} sits at slot {@code (i - 1) % capacity} while it is among the last {@code capacity}.
 */
final class RoomHistory {

  private final ChatMessage[] ring;
  private final long startsAfter;
  private long lastId;

  RoomHistory(int capacity) {
    this(capacity, 0);
  }

  /** A history whose first message will be {@code startsAfter + 1} (a cache of a room's newest messages). */
  RoomHistory(int capacity, long startsAfter) {
    this.ring = new ChatMessage[capacity];
    this.startsAfter = startsAfter;
    this.lastId = startsAfter;
  }

  long lastId() {
    return lastId;
  }

  /** Oldest id still held, or {@code lastId + 1} when empty. */
  long firstId() {
    return Math.max(startsAfter + 1, lastId - ring.length + 1);
  }

  long nextId() {
    return lastId + 1;
  }

  void append(ChatMessage message) {
    if (message.id() != lastId + 1) {
      throw new IllegalArgumentException("expected id " + (lastId + 1) + ", got " + message.id());
    }
    ring[(int) ((message.id() - 1) % ring.length)] = message;
    lastId = message.id();
  }

  /** The message with {@code id} if it is still held, else null. */
  ChatMessage get(long id) {
    return id >= firstId() && id <= lastId ? ring[(int) ((id - 1) % ring.length)] : null;
  }

  /** Puts {@code message}'s new state in the place of the one with its id, if that is still held. */
  void replace(ChatMessage message) {
    if (get(message.id()) != null) {
      ring[(int) ((message.id() - 1) % ring.length)] = message;
    }
  }

  /** Empties the text of the held edits of message {@code target} ({@link RoomChanges#redacted}). */
  void redactEditsOf(long target) {
    for (long id = Math.max(firstId(), target + 1); id <= lastId; id++) {
      ChatMessage held = get(id);
      if (RoomChange.Kind.EDIT.code().equals(held.kind()) && held.target() == target) {
        replace(RoomChanges.redacted(held));
      }
    }
  }

  /** The newest {@code limit} messages with an id below {@code before} (null: all), oldest first. */
  List<ChatMessage> before(Long before, int limit) {
    long to = before == null ? lastId : Math.min(lastId, before - 1);
    long from = Math.max(firstId(), to - limit + 1);
    return range(from, to);
  }

  /** The newest {@code limit} messages with an id above {@code since}, oldest first. */
  List<ChatMessage> after(long since, int limit) {
    long from = Math.max(Math.max(firstId(), since + 1), lastId - limit + 1);
    return range(from, lastId);
  }

  /** The kept messages with ids {@code from..to}, oldest first. */
  List<ChatMessage> between(long from, long to) {
    return range(Math.max(from, firstId()), Math.min(to, lastId));
  }

  private List<ChatMessage> range(long from, long to) {
    List<ChatMessage> out = new ArrayList<>((int) Math.max(0, to - from + 1));
    for (long id = from; id <= to; id++) {
      out.add(ring[(int) ((id - 1) % ring.length)]);
    }
    return out;
  }
}
