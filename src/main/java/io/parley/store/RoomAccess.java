package io.parley.store;

import io.parley.store.MessageLog.Access;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules about access lists that every {@link MessageLog} applies alike: the list a new room starts with, its
 * owner, and how a grant raises an access without ever lowering it.
 */
public final class RoomAccess {

  private RoomAccess() {
  }

  /**
   * The access list a new room of {@code kind} starts with: a private room's one member is its owner, a direct
   * room's two users are members, a public room has none ({@code members}: at most its creator, who owns it but is on
   * no list). A list that does not fit the kind is a bug of the caller's: {@link IllegalArgumentException}.
   */
  public static Map<String, Access> initial(RoomKind kind, List<String> members) {
    Map<String, Access> list = new LinkedHashMap<>();
    switch (kind) {
      case PUBLIC -> {
        if (members != null && (members.size() > 1 || (members.size() == 1 && members.get(0) == null))) {
          throw new IllegalArgumentException("a public room is created with at most its creator, not " + members);
        }
      }
      case PRIVATE -> {
        if (members == null || members.size() != 1 || members.get(0) == null) {
          throw new IllegalArgumentException("a private room is created with its owner alone, not " + members);
        }
        list.put(members.get(0), Access.OWNER);
      }
      case DIRECT -> {
        // (not members.contains(null): an immutable list throws on it)
        if (members == null || members.size() != 2 || members.get(0) == null || members.get(1) == null
            || members.get(0).equals(members.get(1))) {
          throw new IllegalArgumentException("a direct room is created with two users, not " + members);
        }
        list.put(members.get(0), Access.MEMBER);
        list.put(members.get(1), Access.MEMBER);
      }
      default -> throw new IllegalArgumentException("no room kind " + kind);
    }
    return list;
  }

  /**
   * The owner a new room of {@code kind} records: a private room's creator, a public room's creator when it is given
   * (since schema version 3); none for direct rooms. {@code members} as {@link #initial} accepts it.
   */
  public static String owner(RoomKind kind, List<String> members) {
    return switch (kind) {
      case PRIVATE -> members.get(0);
      case PUBLIC -> members == null || members.isEmpty() ? null : members.get(0);
      case DIRECT -> null;
    };
  }

  /** What {@code requested} leaves of {@code before} (null: none): the higher of the two (owner, member, invited). */
  public static Access raised(Access before, Access requested) {
    if (requested == null) {
      throw new IllegalArgumentException("no access to grant");
    }
    return before == null || requested.ordinal() < before.ordinal() ? requested : before;
  }
}
