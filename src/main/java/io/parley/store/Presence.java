package io.parley.store;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The rules of who holds a nick and who is in a room, as pure functions on the JSON values both directories keep
 * ({@link MemoryDirectory} in a map, {@code cluster.HazelcastDirectory} in Hazelcast entry processors), so the two
 * cannot disagree. A user is a nick with any number of connections, each known by its id and the node that serves
 * it.
 *
 * <p>A user: {@code {"session": secret or null, "connections": {id: node}, "left": ms}} — {@code left} is when its
 * last connection went (0 while it has one). A room: {@code {"members": {nick: {id: node}}, "version": n}}.
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

  // ---- rooms --------------------------------------------------------------------------------------------------

  /** What a change of a room's members did: the room afterwards (null: empty, forget it) and the result. */
  public record Change<T>(JsonObject room, T result) {
  }

  /** Adds a connection of {@code nick} to a room (null: no members yet, starting at {@code firstVersion}). */
  public static Change<Directory.Membership> join(JsonObject room, String nick, String connection, String node,
      long firstVersion) {
    JsonObject copy = room == null ? new JsonObject().put("members", new JsonObject()).put("version", firstVersion)
        : room.copy();
    JsonObject members = copy.getJsonObject("members");
    boolean added = !members.containsKey(nick);
    JsonObject held = added ? new JsonObject() : members.getJsonObject(nick);
    held.put(connection, node);
    members.put(nick, held);
    long version = copy.getLong("version") + (added ? 1 : 0);
    copy.put("version", version);
    return new Change<>(copy, new Directory.Membership(List.copyOf(new TreeSet<>(members.fieldNames())), added,
        version));
  }

  /**
   * Removes a connection of {@code nick} from a room: the version its user's leaving made, or 0 when the user is
   * still there by another connection (or the connection was not there). {@code connection} null: the user, whatever
   * connections it has there (its removal from a private room).
   */
  public static Change<Long> leave(JsonObject room, String nick, String connection) {
    if (room == null || !room.getJsonObject("members").containsKey(nick)) {
      return new Change<>(room, 0L);
    }
    JsonObject copy = room.copy();
    JsonObject members = copy.getJsonObject("members");
    JsonObject held = members.getJsonObject(nick);
    if (connection != null) {
      if (held.remove(connection) == null) {
        return new Change<>(room, 0L);
      }
      if (!held.isEmpty()) {
        return new Change<>(copy, 0L); // the user is still in the room by another connection
      }
    }
    members.remove(nick);
    long version = copy.getLong("version") + 1;
    copy.put("version", version);
    return new Change<>(members.isEmpty() ? null : copy, version);
  }

  /** Removes every connection a dead node held from a room; the users that left with them, each with its version. */
  public static Change<List<Directory.Departure>> leaveNode(JsonObject room, String node) {
    JsonObject copy = room.copy();
    JsonObject members = copy.getJsonObject("members");
    List<Directory.Departure> departed = new ArrayList<>();
    long version = copy.getLong("version");
    boolean changed = false;
    for (String nick : new TreeSet<>(members.fieldNames())) {
      JsonObject held = members.getJsonObject(nick);
      if (held.getMap().values().removeIf(node::equals)) {
        changed = true;
        if (held.isEmpty()) {
          members.remove(nick);
          departed.add(new Directory.Departure(nick, ++version));
        }
      }
    }
    copy.put("version", version);
    return new Change<>(!changed ? room : members.isEmpty() ? null : copy, departed);
  }

  /** The users in a room (sorted). */
  public static List<String> members(JsonObject room) {
    return room == null ? List.of() : List.copyOf(new TreeSet<>(room.getJsonObject("members").fieldNames()));
  }

  public static int memberCount(JsonObject room) {
    return room == null ? 0 : room.getJsonObject("members").size();
  }
}
