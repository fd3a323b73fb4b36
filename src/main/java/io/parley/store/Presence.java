package io.parley.store;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * The rules of who holds a nick, as pure functions on the JSON values both directories keep
 * ({@link MemoryDirectory} in a map, {@code cluster.HazelcastDirectory} in Hazelcast entry processors), so the two
 * cannot disagree. A user is a nick with any number of connections, each known by its id and the node that serves
 * it.
 *
 * <p>A user: {@code {"session": secret or null, "connections": {id: node}, "left": ms}} — {@code left} is when its
 * last connection went (0 while it has one). A room's members are a {@link RoomMembers}, changed in place.
 */
public final class Presence {

  private Presence() {
  }

  // ---- users --------------------------------------------------------------------------------------------------

  /**
   * A claim of {@code user} (null: nobody holds it) by {@code connection} of {@code node}: granted, with the user's
   * value afterwards, or refused (null value). A nick is free when nobody holds it, or when its last connection
   * went {@code ttlMs} ago or more; otherwise {@code vouched} (a valid token) or the user's {@code session} makes
   * the connection that user too. {@code newSession} is the secret a new guest gets.
   */
  public static JsonObject claim(JsonObject user, String connection, String node, String session, boolean vouched,
      long now, long ttlMs, String newSession) {
    boolean free = user == null || (connections(user).isEmpty() && now - user.getLong("left", 0L) >= ttlMs);
    if (free) {
      return new JsonObject().put("session", vouched ? null : newSession)
          .put("connections", new JsonObject().put(connection, node)).put("left", 0L);
    }
    boolean same = vouched || (session != null && user.getString("session") != null
        && MessageDigest.isEqual(session.getBytes(StandardCharsets.UTF_8),
            user.getString("session").getBytes(StandardCharsets.UTF_8)));
    if (!same) {
      return null;
    }
    JsonObject copy = user.copy();
    connections(copy).put(connection, node);
    copy.put("left", 0L);
    return copy;
  }

  /** The user after {@code connection} went (at {@code now}); null when it was not the user's. */
  public static JsonObject release(JsonObject user, String connection, long now) {
    if (user == null || !connections(user).containsKey(connection)) {
      return null;
    }
    JsonObject copy = user.copy();
    connections(copy).remove(connection);
    if (connections(copy).isEmpty()) {
      copy.put("left", now);
    }
    return copy;
  }

  /** The user after the connections of a dead node are gone; null when it had none there. */
  public static JsonObject releaseNode(JsonObject user, String node, long now) {
    JsonObject copy = user.copy();
    boolean changed = connections(copy).getMap().values().removeIf(node::equals);
    if (!changed) {
      return null;
    }
    if (connections(copy).isEmpty()) {
      copy.put("left", now);
    }
    return copy;
  }

  /** Whether a user without connections may be forgotten (its session has expired). */
  public static boolean expired(JsonObject user, long now, long ttlMs) {
    return connections(user).isEmpty() && now - user.getLong("left", 0L) >= ttlMs;
  }

  public static JsonObject connections(JsonObject user) {
    return user.getJsonObject("connections");
  }
}
