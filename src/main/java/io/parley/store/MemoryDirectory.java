package io.parley.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory of a node that runs alone, by the rules of {@link Presence} and {@link RoomMembers}. Confined to the chat verticle's event
 * loop.
 */
public final class MemoryDirectory implements Directory {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** The one node a directory of a node alone knows. */
  private static final String NODE = "local";

  private final Map<String, JsonObject> users = new HashMap<>();
  /** Users whose last connection went, oldest first: forgotten once their session has expired. */
  private final Deque<String> departed = new ArrayDeque<>();
  private final Map<String, RoomMembers> rooms = new HashMap<>();
  private final long ttlMs;

  /** {@code ttlMs}: {@code GUEST_SESSION_TTL_S}, how long a user without connections is kept. */
  public MemoryDirectory(long ttlMs) {
    this.ttlMs = ttlMs;
  }

  /** A guest's session: 128 random bits, base64url (22 characters). */
  public static String newSession() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public Future<Claim> claimNick(String nick, String connection, String session, boolean vouched, long ttlMs) {
    long now = System.currentTimeMillis();
    forgetExpired(now);
    JsonObject user = Presence.claim(users.get(nick), connection, NODE, session, vouched, now, ttlMs, newSession());
    if (user == null) {
      return Future.succeededFuture(new Claim(false, null));
    }
    users.put(nick, user);
    return Future.succeededFuture(new Claim(true, user.getString("session")));
  }

  @Override
  public Future<Void> releaseNick(String nick, String connection) {
    long now = System.currentTimeMillis();
    JsonObject user = Presence.release(users.get(nick), connection, now);
    if (user != null) {
      users.put(nick, user);
      if (Presence.connections(user).isEmpty()) {
        departed.add(nick);
      }
    }
    forgetExpired(now);
    return Future.succeededFuture();
  }

  private void forgetExpired(long now) {
    while (!departed.isEmpty()) {
      JsonObject user = users.get(departed.peekFirst());
      if (user != null && !Presence.connections(user).isEmpty()) {
        departed.pollFirst(); // back again: it is queued anew when it next leaves
      } else if (user == null || Presence.expired(user, now, ttlMs)) {
        String nick = departed.pollFirst();
        if (user != null) {
          users.remove(nick);
        }
      } else {
        return; // the oldest has not expired: neither have the others
      }
    }
  }

  @Override
  public Future<Membership> join(String room, String nick, String connection, int fullUpTo, int pageSize) {
    RoomMembers members = rooms.computeIfAbsent(room,
        name -> new RoomMembers(Directory.firstVersion(System.currentTimeMillis())));
    return Future.succeededFuture(Directory.joinOf(members, nick, connection, NODE, fullUpTo, pageSize));
  }

  @Override
  public Future<Left> leave(String room, String nick, String connection) {
    RoomMembers members = rooms.get(room);
    if (members == null) {
      return Future.succeededFuture(new Left(0, 0));
    }
    long version = members.leave(nick, connection);
    if (members.isEmpty()) {
      rooms.remove(room);
    }
    return Future.succeededFuture(new Left(version, members.count()));
  }

  @Override
  public Future<Page> page(String room, String after, int limit) {
    return Future.succeededFuture(Directory.pageOf(rooms.get(room), after, limit));
  }

  @Override
  public Future<List<String>> members(String room) {
    RoomMembers members = rooms.get(room);
    return Future.succeededFuture(members == null ? List.of() : members.all());
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    names.forEach(room -> counts.put(room, rooms.containsKey(room) ? rooms.get(room).count() : 0));
    return Future.succeededFuture(counts);
  }

  @Override
  public Future<Map<String, Purge>> purgeNode(String nodeId) {
    return Future.succeededFuture(Map.of()); // alone, there is no other node to die
  }
}
