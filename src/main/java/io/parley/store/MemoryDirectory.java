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
 * The directory of a node that runs alone, by the rules of {@link Presence}. Confined to the chat verticle's event
 * loop.
 */
public final class MemoryDirectory implements Directory {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, JsonObject> users = new HashMap<>();
  /** Users whose last connection went, oldest first: forgotten once their session has expired. */
  private final Deque<String> departed = new ArrayDeque<>();
  private final Map<String, JsonObject> rooms = new HashMap<>();
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
    JsonObject user = Presence.claim(users.get(nick), connection, "local", session, vouched, now, ttlMs, newSession());
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
  public Future<Membership> join(String room, String nick, String connection) {
    Presence.Change<Membership> change = Presence.join(rooms.get(room), nick, connection, "local",
        Directory.firstVersion(System.currentTimeMillis()));
    rooms.put(room, change.room());
    return Future.succeededFuture(change.result());
  }

  @Override
  public Future<Long> leave(String room, String nick, String connection) {
    Presence.Change<Long> change = Presence.leave(rooms.get(room), nick, connection);
    if (change.room() == null) {
      rooms.remove(room);
    } else {
      rooms.put(room, change.room());
    }
    return Future.succeededFuture(change.result());
  }

  @Override
  public Future<List<String>> members(String room) {
    return Future.succeededFuture(Presence.members(rooms.get(room)));
  }

  @Override
  public Future<Map<String, Integer>> memberCounts(List<String> names) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    names.forEach(room -> counts.put(room, Presence.memberCount(rooms.get(room))));
    return Future.succeededFuture(counts);
  }

  @Override
  public Future<Map<String, List<Departure>>> purgeNode(String nodeId) {
    return Future.succeededFuture(Map.of()); // alone, there is no other node to die
  }
}
