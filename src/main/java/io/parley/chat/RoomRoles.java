package io.parley.chat;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.RoomChange;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;

/**
 * Who may change what about the members of a room (docs/PROTOCOL.md, "Roles"), as pure rules: the owner names and
 * unnames moderators; moderators and the owner kick, ban, unban and mute, never the owner, and a moderator only
 * the owner may act on. Unit-tested in {@code RoomRolesTest}.
 */
final class RoomRoles {

  private RoomRoles() {
  }

  /** A user's role in a room, from the least to the most it may do. */
  enum Role {
    MEMBER, MODERATOR, OWNER;

    boolean moderates() {
      return this != MEMBER;
    }

    String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code nick}'s role: the room's creator (or one an operator made owner) owns it; else its standing's role. */
  static Role of(RoomRecord room, String nick, Standing standing) {
    if (nick.equals(room.owner()) || standing != null && Standing.OWNER.equals(standing.role())) {
      return Role.OWNER;
    }
    return standing != null && Standing.MODERATOR.equals(standing.role()) ? Role.MODERATOR : Role.MEMBER;
  }

  /** Refuses ({@code forbidden}) a member change {@code actor} may not make to {@code target}. */
  static void requireMayChange(RoomChange.Kind kind, Role actor, Role target) {
    if (kind == RoomChange.Kind.ROLE) {
      if (actor != Role.OWNER || target == Role.OWNER) {
        throw new ProtocolException(ErrorCode.FORBIDDEN, "only the room's owner names and unnames moderators");
      }
      return;
    }
    if (!actor.moderates()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the room's moderators and owner may " + kind.code());
    }
    if (target == Role.OWNER || target == Role.MODERATOR && actor != Role.OWNER) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "a " + target.code() + " can only be "
          + (target == Role.OWNER ? "acted on by an operator" : "acted on by the owner"));
    }
  }
}
