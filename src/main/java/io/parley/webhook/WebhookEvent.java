package io.parley.webhook;

import io.parley.protocol.ChatMessage;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One room event as a backend receives it: {@code id}, its idempotency key (the same on every retry of it, so that
 * a receiver that got it twice keeps it once), {@code type} ({@code message}, {@code edit}, {@code delete},
 * {@code react}, a moderation event's type, {@code join}, {@code leave}), the {@code room}, when it happened, and
 * {@code event}: the frame exactly as a client of the room sees it. docs/INTEGRATION.md, "Webhooks".
 */
public record WebhookEvent(String id, String type, String room, long ts, JsonObject event) {

  /** A message or another room event with an id (an edit, a deletion, a reaction, a moderation event). */
  public static WebhookEvent of(ChatMessage message) {
    JsonObject frame = message.toJson();
    return new WebhookEvent(newId(), frame.getString("type"), message.room(), message.ts(), frame);
  }

  /** A member joining or leaving ({@code frame} is the presence frame the room's clients get). */
  public static WebhookEvent presence(String room, String event, JsonObject frame) {
    return new WebhookEvent(newId(), event, room, System.currentTimeMillis(), frame);
  }

  private static String newId() {
    return "evt_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** The room's id of the event (messages and room changes), which every node agrees on; null for joins and leaves. */
  public Long roomEventId() {
    return "join".equals(type) || "leave".equals(type) ? null : event.getLong("id");
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("type", type).put("room", room).put("ts", ts).put("event", event);
  }

  public static WebhookEvent fromJson(JsonObject json) {
    return new WebhookEvent(json.getString("id"), json.getString("type"), json.getString("room"), json.getLong("ts"),
        json.getJsonObject("event"));
  }
}
