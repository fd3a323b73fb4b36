package io.parley.store;

import io.parley.protocol.ChatMessage;

/** What storing a sent message came to. */
public sealed interface Appended {

  /** Stored as {@code message}, under the room's next id: committed, so it may be acknowledged and published. */
  record Stored(ChatMessage message) implements Appended {
  }

  /**
   * The sender had used the send's {@code cid} in this room: nothing was stored again. {@code id} is the first
   * send's (0 while it is still being stored); {@code message} what it stored, or null (still being stored, or no
   * longer kept).
   */
  record Repeated(long id, ChatMessage message) implements Appended {
  }
}
