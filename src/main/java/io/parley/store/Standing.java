package io.parley.store;

import io.vertx.core.json.JsonObject;

/**
 * A nick's standing in a room, as the store keeps it: its role ({@code owner} or {@code moderator}; null: none
 * beyond a member's), and until when it is banned or muted (epoch ms; 0: for good; null: not). The creator of a
 * room is its owner through {@link RoomRecord#owner()}; a standing's {@code owner} is one an operator granted.
 */
public record Standing(String role, Long bannedUntil, Long mutedUntil) {

  public static final Standing NONE = new Standing(null, null, null);

  public static final String OWNER = "owner";
  public static final String MODERATOR = "moderator";

  public boolean banned(long now) {
    return bannedUntil != null && (bannedUntil == 0 || bannedUntil > now);
  }

  public boolean muted(long now) {
    return mutedUntil != null && (mutedUntil == 0 || mutedUntil > now);
  }

  /** Nothing kept: no role, no ban, no mute (a store may delete its row). */
  public boolean isEmpty() {
    return role == null && bannedUntil == null && mutedUntil == null;
  }

  /** As it counts at {@code now}: a ban or mute that ended is no longer there. */
  public Standing at(long now) {
    return new Standing(role, banned(now) ? bannedUntil : null, muted(now) ? mutedUntil : null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (role != null) {
      json.put("role", role);
    }
    if (bannedUntil != null) {
      json.put("bannedUntil", bannedUntil);
    }
    if (mutedUntil != null) {
      json.put("mutedUntil", mutedUntil);
    }
    return json;
  }

  public static Standing fromJson(JsonObject json) {
    return json == null ? NONE : new Standing(json.getString("role"), json.getLong("bannedUntil"),
        json.getLong("mutedUntil"));
  }
}
