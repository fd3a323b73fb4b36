package io.parley.support;

import io.parley.bus.Addresses;
import io.parley.bus.IdRange;
import io.parley.bus.LocalCodec;
import io.parley.protocol.ChatMessage;
import io.vertx.core.Vertx;
import java.util.List;

/** Requests a node makes of itself, asked by tests the same way (the event bus, node-locally). */
public final class NodeInternals {

  private NodeInternals() {
  }

  /** The ids a node filling a gap reads from history for {@code from..to}. */
  public static List<Long> historyRange(Vertx vertx, String room, long from, long to) {
    List<ChatMessage> messages = vertx.eventBus().<List<ChatMessage>>request(Addresses.HISTORY_RANGE,
        new IdRange(room, from, to), LocalCodec.options()).await().body();
    return messages.stream().map(ChatMessage::id).toList();
  }
}
