package io.parley.chat;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.chat.RoomRoles.Role;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.RoomChange;
import io.parley.store.RoomChange.Kind;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.store.RoomChanges;
import io.parley.store.Standing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who may do what to whom in a room (docs/PROTOCOL.md, "Roles"), without a server. */
class RoomRolesTest {

  private static final RoomRecord OWNED = new RoomRecord("r", "e", 1, 0, 1, RoomKind.PUBLIC, "alice");
  private static final RoomRecord UNOWNED = new RoomRecord("r", "e", 1, 0, 1);
  private static final Standing MODERATOR = new Standing(Standing.MODERATOR, null, null);

  /** The changes a moderator makes to a member: kick, ban, unban, mute. */
  private static final List<Kind> SANCTIONS = List.of(Kind.KICK, Kind.BAN, Kind.UNBAN, Kind.MUTE);

  private static void assertForbidden(Kind kind, Role actor, Role target) {
    ProtocolException refused = assertThrows(ProtocolException.class,
        () -> RoomRoles.requireMayChange(kind, actor, target), kind + " by " + actor + " of " + target);
    assertEquals(ErrorCode.FORBIDDEN, refused.code());
  }

  private static void assertAllowed(Kind kind, Role actor, Role target) {
    assertDoesNotThrow(() -> RoomRoles.requireMayChange(kind, actor, target), kind + " by " + actor + " of " + target);
  }

  @Test
  void the_creator_owns_the_room_and_a_standing_makes_a_moderator() {
    assertEquals(Role.OWNER, RoomRoles.of(OWNED, "alice", null));
    assertEquals(Role.OWNER, RoomRoles.of(OWNED, "alice", MODERATOR), "the creator's record wins");
    assertEquals(Role.MODERATOR, RoomRoles.of(OWNED, "bob", MODERATOR));
    assertEquals(Role.MEMBER, RoomRoles.of(OWNED, "bob", null));
    assertEquals(Role.MEMBER, RoomRoles.of(OWNED, "bob", Standing.NONE));
    assertEquals(Role.MEMBER, RoomRoles.of(OWNED, "bob", new Standing(null, 0L, 0L)), "banned and muted: a member");
  }

  @Test
  void a_room_without_owner_has_none_unless_an_operator_named_one() {
    assertEquals(Role.MEMBER, RoomRoles.of(UNOWNED, "alice", null));
    assertEquals(Role.OWNER, RoomRoles.of(UNOWNED, "carol", new Standing(Standing.OWNER, null, null)));
  }

  @Test
  void a_banned_moderator_is_a_member() {
    Standing banned = RoomChanges.standing(MODERATOR, RoomChange.member(Kind.BAN, "alice", 1, "bob", 60));
    assertEquals(Role.MEMBER, RoomRoles.of(OWNED, "bob", banned));
  }

  @Test
  void only_the_owner_names_and_unnames_moderators() {
    assertAllowed(Kind.ROLE, Role.OWNER, Role.MEMBER);
    assertAllowed(Kind.ROLE, Role.OWNER, Role.MODERATOR);
    for (Role target : Role.values()) {
      assertForbidden(Kind.ROLE, Role.MODERATOR, target);
      assertForbidden(Kind.ROLE, Role.MEMBER, target);
    }
  }

  @Test
  void moderators_kick_ban_unban_and_mute_members() {
    for (Kind kind : SANCTIONS) {
      assertAllowed(kind, Role.MODERATOR, Role.MEMBER);
      assertAllowed(kind, Role.OWNER, Role.MEMBER);
    }
  }

  @Test
  void a_moderator_may_not_act_on_another_moderator_the_owner_may() {
    for (Kind kind : SANCTIONS) {
      assertForbidden(kind, Role.MODERATOR, Role.MODERATOR);
      assertAllowed(kind, Role.OWNER, Role.MODERATOR);
    }
  }

  @Test
  void members_may_do_none_of_it() {
    for (Kind kind : SANCTIONS) {
      for (Role target : Role.values()) {
        assertForbidden(kind, Role.MEMBER, target);
      }
    }
  }

  @Test
  void nobody_acts_on_the_owner() {
    for (Kind kind : List.of(Kind.KICK, Kind.BAN, Kind.UNBAN, Kind.MUTE, Kind.ROLE)) {
      for (Role actor : Role.values()) {
        assertForbidden(kind, actor, Role.OWNER);
      }
    }
  }

  @Test
  void only_moderators_and_the_owner_moderate() {
    assertEquals(List.of(false, true, true), List.of(Role.MEMBER.moderates(), Role.MODERATOR.moderates(),
        Role.OWNER.moderates()));
    assertEquals(List.of("member", "moderator", "owner"), List.of(Role.MEMBER.code(), Role.MODERATOR.code(),
        Role.OWNER.code()), "as joined says it");
  }
}
