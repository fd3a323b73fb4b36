package io.parley.store;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The members of one room and its membership version, changed in place: a user (nick) with the connections that
 * hold it there, each with the node that serves it. Both directories keep one per room with members
 * ({@link MemoryDirectory} in a map; {@code cluster.HazelcastDirectory} in Hazelcast, as objects, changed by entry
 * processors), so a join costs a tree insertion, not a copy of the room: a room of 100,000 must not be rewritten
 * 100,000 times while it fills.
 *
 * <p>Each change that adds or removes a user is +1 on the version ({@link Directory}). Not thread-safe: each room's
 * value is changed by one thread at a time (its event loop, or its Hazelcast partition's thread). Serializable for
 * Hazelcast's backups and migrations; node ids are interned, so a room's thousands of members share one string per
 * node in memory and in its serialized form.
 */
public final class RoomMembers implements Serializable {

  private static final long serialVersionUID = 1L;

  /** nick to its connections here, as {connection, node, connection, node...}: one pair for most users. */
  private final TreeMap<String, String[]> members = new TreeMap<>();
  private long version;
  private int connections;

  /** A room without members whose first join will make {@code firstVersion} + 1. */
  public RoomMembers(long firstVersion) {
    this.version = firstVersion;
  }

  public int count() {
    return members.size();
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  public long version() {
    return version;
  }

  /** Adds {@code connection} (served by {@code node}) for {@code nick}: true if that made the user a member. */
  public boolean join(String nick, String connection, String node) {
    String[] held = members.get(nick);
    String canonicalNode = node.intern();
    if (held == null) {
      members.put(nick, new String[] {connection, canonicalNode});
      connections++;
      version++;
      return true;
    }
    for (int i = 0; i < held.length; i += 2) {
      if (held[i].equals(connection)) {
        return false; // joined again by the same connection (a resync)
      }
    }
    String[] more = java.util.Arrays.copyOf(held, held.length + 2);
    more[held.length] = connection;
    more[held.length + 1] = canonicalNode;
    members.put(nick, more);
    connections++;
    return false;
  }

  /**
   * Removes {@code connection} of {@code nick} (null: every connection of the user): the version the user's leaving
   * made, or 0 when the user is still here by another connection, or the connection was not here.
   */
  public long leave(String nick, String connection) {
    String[] held = members.get(nick);
    if (held == null) {
      return 0;
    }
    if (connection != null) {
      int at = -1;
      for (int i = 0; i < held.length; i += 2) {
        if (held[i].equals(connection)) {
          at = i;
        }
      }
      if (at < 0) {
        return 0;
      }
      if (held.length > 2) {
        String[] fewer = new String[held.length - 2];
        System.arraycopy(held, 0, fewer, 0, at);
        System.arraycopy(held, at + 2, fewer, at, held.length - at - 2);
        members.put(nick, fewer);
        connections--;
        return 0; // still here by another connection
      }
    }
    members.remove(nick);
    connections -= held.length / 2;
    return ++version;
  }

  /**
   * Removes every connection {@code node} served: the users that left with them, in nick order, each with the
   * version its leaving made. A user who stays by a connection of another node loses the dead one's without a
   * departure: whether anything changed at all, compare {@link #connections()} before and after.
   */
  public List<Directory.Departure> leaveNode(String node) {
    List<Directory.Departure> departed = new ArrayList<>();
    var entries = members.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, String[]> entry = entries.next();
      String[] held = entry.getValue();
      int kept = 0;
      for (int i = 0; i < held.length; i += 2) {
        if (!held[i + 1].equals(node)) {
          kept += 2;
        }
      }
      if (kept == held.length) {
        continue;
      }
      connections -= (held.length - kept) / 2;
      if (kept == 0) {
        String nick = entry.getKey(); // before the removal: TreeMap may reuse the entry for its successor
        entries.remove();
        departed.add(new Directory.Departure(nick, ++version));
        continue;
      }
      String[] fewer = new String[kept];
      for (int i = 0, j = 0; i < held.length; i += 2) {
        if (!held[i + 1].equals(node)) {
          fewer[j++] = held[i];
          fewer[j++] = held[i + 1];
        }
      }
      entry.setValue(fewer);
    }
    return departed;
  }

  /** How many connections hold the room's members (a user may be here by several). */
  public int connections() {
    return connections;
  }

  /** At most {@code limit} users after {@code after} (null: from the first), in nick order. */
  public List<String> page(String after, int limit) {
    Map<String, String[]> from = after == null ? members : members.tailMap(after, false);
    List<String> page = new ArrayList<>(Math.min(limit, from.size()));
    for (String nick : from.keySet()) {
      if (page.size() == limit) {
        break;
      }
      page.add(nick);
    }
    return page;
  }

  /** The last user in nick order (null: none). */
  public String lastNick() {
    return members.isEmpty() ? null : members.lastKey();
  }

  /** Every user, in nick order. */
  public List<String> all() {
    return new ArrayList<>(members.keySet());
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
    in.defaultReadObject();
    for (String[] held : members.values()) {
      for (int i = 1; i < held.length; i += 2) {
        held[i] = held[i].intern();
      }
    }
  }
}
