package io.parley.bus;

import io.parley.protocol.ChatMessage;
import io.vertx.core.json.JsonObject;

/** The chat service's answer to a {@code send}. */
public sealed interface SendResult {

  /** Stored under {@code id} and published: the message itself reaches the room's members, its sender included. */
  record Stored(long id) implements SendResult {
  }

  /**
   * The sender used the send's {@code cid} in this room before ({@code SEND_DEDUP_WINDOW_S}): nothing was stored
   * or published again. {@code id} is the first send's (0 while it is still being stored); {@code message} what it
   * stored, or null (still being stored, or older than the room keeps).
   */
  record Repeated(long id, ChatMessage message) implements SendResult {
  }

  /** The reply body of the bridge's {@code chat.send}: {@code {id}}, or {@code {duplicate: true, id?}}. */
  default JsonObject toJson() {
    if (this instanceof Stored stored) {
      return new JsonObject().put("id", stored.id());
    }
    long first = ((Repeated) this).id();
    JsonObject duplicate = new JsonObject().put("duplicate", true);
    return first == 0 ? duplicate : duplicate.put("id", first);
  }
}
