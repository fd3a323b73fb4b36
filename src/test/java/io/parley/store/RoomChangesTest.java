package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.RoomChange.Kind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The rules of edits, deletions, reactions and standings (docs/PROTOCOL.md, "Roles, moderation, edits, deletions and
 * reactions"), as the pure functions every store applies in its transaction.
 */
class RoomChangesTest {

  private static final long WINDOW_MS = 900_000;
  private static final long SENT = 1_000_000;
  private static final RoomChange.Rules MEMBER = new RoomChange.Rules(false, WINDOW_MS, 20, 5);
  private static final RoomChange.Rules MODERATOR = new RoomChange.Rules(true, WINDOW_MS, 20, 5);

  /** Message 1 of room r, sent by alice at {@link #SENT}. */
  private static ChatMessage message() {
    return new ChatMessage("r", 1, "alice", "hello", SENT, "c1");
  }

  private static void assertRefused(ErrorCode code, Executable call) {
    assertEquals(code, assertThrows(ProtocolException.class, call).code());
  }

  private static RoomChange react(String by, String emoji, boolean on, RoomChange.Rules rules) {
    return RoomChange.reaction(by, SENT + 1, 1, emoji, on, rules);
  }

  /** {@code target} after each reaction {@code "nick emoji"} (a leading {@code -}: taken back), in order. */
  private static ChatMessage reacted(ChatMessage target, RoomChange.Rules rules, String... reactions) {
    for (String reaction : reactions) {
      boolean on = !reaction.startsWith("-");
      String[] parts = reaction.substring(on ? 0 : 1).split(" ");
      target = RoomChanges.apply(target, react(parts[0], parts[1], on, rules));
    }
    return target;
  }

  private static JsonObject reactionsOf(ChatMessage message) {
    return message.extraOrEmpty().getJsonObject("reactions");
  }

  // ---- edits -------------------------------------------------------------------------------------------------------

  @Test
  void its_sender_edits_a_message_up_to_the_end_of_the_window() {
    ChatMessage edited = RoomChanges.apply(message(),
        RoomChange.edit("alice", SENT + WINDOW_MS, 1, "fixed", MEMBER));
    assertEquals("fixed", edited.text());
    assertEquals(true, edited.extra().getBoolean("edited"));
    assertEquals(List.of(1L, "alice", SENT, "c1"), List.of(edited.id(), edited.from(), edited.ts(), edited.cid()),
        "still the same message");
    assertTrue(edited.isMessage());
    JsonObject frame = edited.toJson();
    assertEquals("fixed", frame.getString("text"));
    assertEquals(true, frame.getBoolean("edited"));
  }

  @Test
  void an_edit_past_the_window_is_edit_window_passed() {
    assertRefused(ErrorCode.EDIT_WINDOW_PASSED, () -> RoomChanges.apply(message(),
        RoomChange.edit("alice", SENT + WINDOW_MS + 1, 1, "late", MEMBER)));
  }

  @Test
  void a_moderator_too_edits_only_within_the_window() {
    assertRefused(ErrorCode.EDIT_WINDOW_PASSED, () -> RoomChanges.apply(message(),
        RoomChange.edit("alice", SENT + WINDOW_MS + 1, 1, "late", MODERATOR)));
  }

  @Test
  void a_window_of_zero_lets_the_sender_edit_and_delete_at_any_age() {
    RoomChange.Rules noLimit = new RoomChange.Rules(false, 0, 20, 5);
    long later = SENT + 365L * 24 * 3600 * 1000;
    assertEquals("fixed", RoomChanges.apply(message(), RoomChange.edit("alice", later, 1, "fixed", noLimit)).text());
    assertTrue(RoomChanges.apply(message(), RoomChange.delete("alice", later, 1, noLimit)).deleted());
  }

  @Test
  void only_its_sender_edits_a_message_not_even_a_moderator() {
    assertRefused(ErrorCode.FORBIDDEN, () -> RoomChanges.apply(message(),
        RoomChange.edit("bob", SENT + 1, 1, "mine now", MEMBER)));
    assertRefused(ErrorCode.FORBIDDEN, () -> RoomChanges.apply(message(),
        RoomChange.edit("bob", SENT + 1, 1, "mine now", MODERATOR)));
  }

  @Test
  void an_edit_keeps_the_reactions_and_a_second_edit_replaces_the_first() {
    ChatMessage target = reacted(message(), MEMBER, "bob 👍");
    target = RoomChanges.apply(target, RoomChange.edit("alice", SENT + 2, 1, "one", MEMBER));
    target = RoomChanges.apply(target, RoomChange.edit("alice", SENT + 3, 1, "two", MEMBER));
    assertEquals("two", target.text());
    assertEquals(new JsonObject().put("👍", new JsonArray().add("bob")), reactionsOf(target));
  }

  // ---- deletions ---------------------------------------------------------------------------------------------------

  @Test
  void its_sender_deletes_a_message_within_the_window_and_not_after() {
    assertTrue(RoomChanges.apply(message(), RoomChange.delete("alice", SENT + WINDOW_MS, 1, MEMBER)).deleted());
    assertRefused(ErrorCode.EDIT_WINDOW_PASSED, () -> RoomChanges.apply(message(),
        RoomChange.delete("alice", SENT + WINDOW_MS + 1, 1, MEMBER)));
  }

  @Test
  void a_member_may_not_delete_someone_elses_message() {
    assertRefused(ErrorCode.FORBIDDEN, () -> RoomChanges.apply(message(),
        RoomChange.delete("bob", SENT + 1, 1, MEMBER)));
  }

  @Test
  void a_moderator_deletes_anyones_message_at_any_age() {
    long later = SENT + 100 * WINDOW_MS;
    assertTrue(RoomChanges.apply(message(), RoomChange.delete("bob", later, 1, MODERATOR)).deleted());
    assertTrue(RoomChanges.apply(message(), RoomChange.delete("alice", later, 1, MODERATOR)).deleted(), "own too");
  }

  @Test
  void a_deletion_removes_the_text_and_what_the_message_showed() {
    ChatMessage target = reacted(message(), MEMBER, "bob 👍");
    target = RoomChanges.apply(target, RoomChange.edit("alice", SENT + 2, 1, "secret", MEMBER));
    ChatMessage deleted = RoomChanges.apply(target, RoomChange.delete("alice", SENT + 3, 1, MEMBER));
    assertEquals("", deleted.text());
    assertEquals(new JsonObject().put("deleted", true), deleted.extra());
    JsonObject frame = deleted.toJson();
    assertFalse(frame.containsKey("text"), frame.encode());
    assertEquals(true, frame.getBoolean("deleted"));
    assertEquals(List.of(1L, "alice", SENT), List.of(deleted.id(), deleted.from(), deleted.ts()));
  }

  @Test
  void a_deletion_removes_the_text_of_earlier_edits() {
    RoomHistory history = new RoomHistory(10);
    ChatMessage target = message();
    history.append(target);
    RoomChange first = RoomChange.edit("alice", SENT + 1, 1, "first", MEMBER);
    target = RoomChanges.apply(target, first);
    history.append(RoomChanges.event("r", 2, first, target));
    history.append(new ChatMessage("r", 3, "bob", "unrelated", SENT + 2, null));
    RoomChange second = RoomChange.edit("alice", SENT + 3, 1, "second", MEMBER);
    target = RoomChanges.apply(target, second);
    history.append(RoomChanges.event("r", 4, second, target));
    history.append(new ChatMessage("r", 5, "alice", "edit me", SENT + 4, null));
    RoomChange other = RoomChange.edit("alice", SENT + 5, 5, "another message's edit", MEMBER);
    history.append(RoomChanges.event("r", 6, other, RoomChanges.apply(history.get(5), other)));

    target = RoomChanges.apply(target, RoomChange.delete("alice", SENT + 6, 1, MEMBER));
    history.replace(target);
    history.redactEditsOf(1);

    assertTrue(history.get(1).deleted());
    for (long id : List.of(2L, 4L)) {
      ChatMessage edit = history.get(id);
      assertEquals("", edit.text(), "edit " + id);
      assertFalse(edit.toJson().containsKey("text"));
      assertEquals("edit", edit.kind(), "the edit event stays");
      assertEquals(1L, edit.target());
    }
    assertEquals("unrelated", history.get(3).text());
    assertEquals("another message's edit", history.get(6).text());
  }

  // ---- what is not found ---------------------------------------------------------------------------------------------

  private static List<RoomChange> everyMessageChange(RoomChange.Rules rules) {
    return List.of(RoomChange.edit("alice", SENT + 1, 1, "x", rules), RoomChange.delete("alice", SENT + 1, 1, rules),
        RoomChange.reaction("alice", SENT + 1, 1, "👍", true, rules),
        RoomChange.reaction("alice", SENT + 1, 1, "👍", false, rules));
  }

  @Test
  void a_change_of_a_missing_message_is_not_found() {
    for (RoomChange change : everyMessageChange(MODERATOR)) {
      assertRefused(ErrorCode.NOT_FOUND, () -> RoomChanges.apply(null, change));
    }
  }

  @Test
  void a_change_of_a_deleted_message_is_not_found() {
    ChatMessage deleted = RoomChanges.apply(message(), RoomChange.delete("alice", SENT + 1, 1, MEMBER));
    for (RoomChange change : everyMessageChange(MODERATOR)) {
      assertRefused(ErrorCode.NOT_FOUND, () -> RoomChanges.apply(deleted, change));
    }
  }

  @Test
  void a_change_of_a_change_event_is_not_found() {
    RoomChange edit = RoomChange.edit("alice", SENT + 1, 1, "fixed", MEMBER);
    ChatMessage editEvent = RoomChanges.event("r", 2, edit, RoomChanges.apply(message(), edit));
    ChatMessage banEvent = RoomChanges.event("r", 3, RoomChange.member(Kind.BAN, "alice", SENT, "bob", 0), null);
    for (ChatMessage event : List.of(editEvent, banEvent)) {
      for (RoomChange change : everyMessageChange(MODERATOR)) {
        assertRefused(ErrorCode.NOT_FOUND, () -> RoomChanges.apply(event, change));
      }
    }
  }

  // ---- reactions ---------------------------------------------------------------------------------------------------

  @Test
  void reactions_map_each_emoji_to_the_nicks_in_the_order_they_reacted() {
    ChatMessage target = reacted(message(), MEMBER, "carol 🎉", "bob 👍", "alice 👍", "dave 🎉");
    JsonObject reactions = reactionsOf(target);
    assertEquals(List.of("🎉", "👍"), List.copyOf(reactions.fieldNames()), "emoji in the order they came");
    assertEquals(List.of("bob", "alice"), reactions.getJsonArray("👍").getList());
    assertEquals(List.of("carol", "dave"), reactions.getJsonArray("🎉").getList());
    assertEquals("hello", target.text(), "a reaction leaves the text");
    assertNull(target.extra().getValue("edited"));
    assertEquals(reactions, target.toJson().getJsonObject("reactions"));
  }

  @Test
  void reacting_again_with_an_emoji_already_there_changes_nothing() {
    ChatMessage once = reacted(message(), MEMBER, "bob 👍");
    assertEquals(once, reacted(once, MEMBER, "bob 👍"));
  }

  @Test
  void taking_back_a_reaction_removes_the_nick_then_the_emoji_nobody_keeps() {
    ChatMessage target = reacted(message(), MEMBER, "bob 👍", "carol 👍", "bob 🎉");
    target = reacted(target, MEMBER, "-bob 👍");
    assertEquals(new JsonObject().put("👍", new JsonArray().add("carol")).put("🎉", new JsonArray().add("bob")),
        reactionsOf(target));
    target = reacted(target, MEMBER, "-carol 👍", "-bob 🎉");
    assertNull(target.extra(), "no reactions left: nothing");
    assertFalse(target.toJson().containsKey("reactions"));
    assertEquals(message(), target);
  }

  @Test
  void taking_back_a_reaction_that_is_not_there_changes_nothing() {
    ChatMessage target = reacted(message(), MEMBER, "bob 👍");
    assertEquals(target, reacted(target, MEMBER, "-carol 👍"), "not carol's");
    assertEquals(target, reacted(target, MEMBER, "-bob 🎉"), "not this emoji");
    assertEquals(message(), reacted(message(), MEMBER, "-bob 👍"), "none at all");
  }

  @Test
  void a_message_carries_at_most_reactions_per_message_max_emoji() {
    RoomChange.Rules rules = new RoomChange.Rules(false, WINDOW_MS, 3, 5);
    ChatMessage full = reacted(message(), rules, "bob 1", "bob 2", "carol 3");
    assertRefused(ErrorCode.TOO_MANY_REACTIONS, () -> reacted(full, rules, "dave 4"));
    assertEquals(List.of("bob", "dave"), reactionsOf(reacted(full, rules, "dave 1")).getJsonArray("1").getList(),
        "an emoji already there may still be added to");
    assertEquals(3, reactionsOf(reacted(full, rules, "-carol 3", "dave 4")).size(), "one taken back makes room");
  }

  @Test
  void one_user_puts_at_most_reactions_per_user_max_emoji_on_a_message() {
    RoomChange.Rules rules = new RoomChange.Rules(false, WINDOW_MS, 20, 2);
    ChatMessage full = reacted(message(), rules, "bob 1", "bob 2", "carol 3");
    assertRefused(ErrorCode.TOO_MANY_REACTIONS, () -> reacted(full, rules, "bob 3"));
    assertRefused(ErrorCode.TOO_MANY_REACTIONS, () -> reacted(full, rules, "bob 4"));
    assertEquals(full, reacted(full, rules, "bob 1"), "one already there is no new one");
    assertEquals(List.of("carol", "bob"), reactionsOf(reacted(full, rules, "-bob 1", "bob 3")).getJsonArray("3")
        .getList(), "one taken back makes room");
    assertEquals(List.of("carol", "dave"), reactionsOf(reacted(full, rules, "dave 3")).getJsonArray("3").getList(),
        "others are not counted");
  }

  // ---- the events ----------------------------------------------------------------------------------------------------

  @Test
  void an_edit_event_carries_its_target_and_new_text() {
    RoomChange edit = RoomChange.edit("alice", SENT + 5, 1, "fixed", MEMBER);
    ChatMessage event = RoomChanges.event("r", 7, edit, RoomChanges.apply(message(), edit));
    assertEquals(new JsonObject().put("type", "edit").put("room", "r").put("id", 7).put("by", "alice")
        .put("text", "fixed").put("ts", SENT + 5).put("target", 1), event.toJson());
    assertFalse(event.isMessage());
    assertEquals(1L, event.target());
  }

  @Test
  void a_delete_event_carries_only_its_target() {
    RoomChange delete = RoomChange.delete("mod", SENT + 5, 1, MODERATOR);
    ChatMessage event = RoomChanges.event("r", 7, delete, RoomChanges.apply(message(), delete));
    assertEquals(new JsonObject().put("type", "delete").put("room", "r").put("id", 7).put("by", "mod")
        .put("ts", SENT + 5).put("target", 1), event.toJson());
  }

  @Test
  void a_reaction_event_carries_the_reactions_after_it() {
    ChatMessage target = reacted(message(), MEMBER, "carol 🎉");
    RoomChange on = react("bob", "🎉", true, MEMBER);
    target = RoomChanges.apply(target, on);
    JsonObject frame = RoomChanges.event("r", 8, on, target).toJson();
    assertEquals("reaction", frame.getString("type"));
    assertEquals(List.of(1L, "🎉", true), List.of(frame.getLong("target"), frame.getString("emoji"),
        frame.getBoolean("on")));
    assertEquals(new JsonObject().put("🎉", new JsonArray().add("carol").add("bob")), frame.getJsonObject("reactions"));
    RoomChange off = react("bob", "🎉", false, MEMBER);
    target = RoomChanges.apply(target, off);
    target = RoomChanges.apply(target, react("carol", "🎉", false, MEMBER));
    frame = RoomChanges.event("r", 9, off, target).toJson();
    assertEquals(false, frame.getBoolean("on"));
    assertEquals(new JsonObject(), frame.getJsonObject("reactions"), "none left");
  }

  @Test
  void a_ban_event_says_until_when_and_a_ban_for_good_has_no_until() {
    JsonObject timed = RoomChanges.event("r", 3, RoomChange.member(Kind.BAN, "mod", SENT, "bob", 3600), null).toJson();
    assertEquals(new JsonObject().put("type", "ban").put("room", "r").put("id", 3).put("by", "mod").put("ts", SENT)
        .put("nick", "bob").put("seconds", 3600).put("until", SENT + 3_600_000), timed);
    JsonObject forGood = RoomChanges.event("r", 4, RoomChange.member(Kind.BAN, "mod", SENT, "bob", 0), null).toJson();
    assertEquals(0L, forGood.getLong("seconds"));
    assertFalse(forGood.containsKey("until"));
  }

  @Test
  void a_mute_event_says_until_when_and_a_lifted_mute_has_no_until() {
    JsonObject timed = RoomChanges.event("r", 3, RoomChange.member(Kind.MUTE, "mod", SENT, "bob", 600), null).toJson();
    assertEquals(List.of("mute", "bob", 600L, SENT + 600_000), List.of(timed.getString("type"),
        timed.getString("nick"), timed.getLong("seconds"), timed.getLong("until")));
    JsonObject lifted = RoomChanges.event("r", 4, RoomChange.member(Kind.MUTE, "mod", SENT, "bob", 0), null).toJson();
    assertFalse(lifted.containsKey("until"));
  }

  @Test
  void kick_unban_and_role_events_name_the_member() {
    assertEquals(new JsonObject().put("type", "kick").put("room", "r").put("id", 5).put("by", "mod").put("ts", SENT)
        .put("nick", "bob"), RoomChanges.event("r", 5, RoomChange.member(Kind.KICK, "mod", SENT, "bob", 0), null)
        .toJson());
    assertEquals(new JsonObject().put("type", "unban").put("room", "r").put("id", 6).put("by", "mod").put("ts", SENT)
        .put("nick", "bob"), RoomChanges.event("r", 6, RoomChange.member(Kind.UNBAN, "mod", SENT, "bob", 0), null)
        .toJson());
    assertEquals(new JsonObject().put("type", "role").put("room", "r").put("id", 7).put("by", "alice").put("ts", SENT)
        .put("nick", "bob").put("role", "moderator"),
        RoomChanges.event("r", 7, RoomChange.role("alice", SENT, "bob", "moderator"), null).toJson());
  }

  @Test
  void an_event_read_back_from_its_frame_is_the_same_event() {
    RoomChange on = react("bob", "👍", true, MEMBER);
    ChatMessage reaction = RoomChanges.event("r", 2, on, RoomChanges.apply(message(), on));
    ChatMessage ban = RoomChanges.event("r", 3, RoomChange.member(Kind.BAN, "mod", SENT, "bob", 60), null);
    for (ChatMessage event : List.of(reaction, ban)) {
      assertEquals(event.toJson(), ChatMessage.fromJson(event.toJson()).toJson());
    }
  }

  // ---- standings -----------------------------------------------------------------------------------------------------

  private static Standing after(Standing before, RoomChange... changes) {
    Standing standing = before;
    for (RoomChange change : changes) {
      standing = RoomChanges.standing(standing, change);
    }
    return standing;
  }

  private static RoomChange change(Kind kind, long seconds) {
    return RoomChange.member(kind, "mod", SENT, "bob", seconds);
  }

  @Test
  void a_ban_for_seconds_lasts_until_then() {
    Standing banned = after(null, change(Kind.BAN, 3600));
    long until = SENT + 3_600_000;
    assertEquals(new Standing(null, until, null), banned);
    assertTrue(banned.banned(until - 1));
    assertFalse(banned.banned(until), "it ended");
    assertFalse(banned.muted(SENT));
  }

  @Test
  void a_ban_without_seconds_is_for_good() {
    Standing banned = after(Standing.NONE, change(Kind.BAN, 0));
    assertEquals(0L, banned.bannedUntil());
    assertTrue(banned.banned(Long.MAX_VALUE));
  }

  @Test
  void an_unban_lifts_the_ban_and_leaves_nothing_else_changed() {
    Standing muted = new Standing(null, null, SENT + 600_000);
    assertEquals(muted, after(muted, change(Kind.BAN, 0), change(Kind.UNBAN, 0)));
    assertTrue(after(null, change(Kind.BAN, 60), change(Kind.UNBAN, 0)).isEmpty(), "nothing left to keep");
    assertTrue(after(null, change(Kind.UNBAN, 0)).isEmpty(), "an unban of nobody banned");
  }

  @Test
  void a_mute_for_seconds_lasts_until_then_and_a_mute_of_zero_seconds_lifts_it() {
    Standing muted = after(null, change(Kind.MUTE, 600));
    long until = SENT + 600_000;
    assertEquals(new Standing(null, null, until), muted);
    assertTrue(muted.muted(until - 1));
    assertFalse(muted.muted(until));
    assertFalse(muted.banned(SENT));
    assertTrue(after(muted, change(Kind.MUTE, 0)).isEmpty());
  }

  @Test
  void a_ban_keeps_a_mute_and_a_mute_keeps_a_ban() {
    Standing both = after(null, change(Kind.MUTE, 600), change(Kind.BAN, 60));
    assertEquals(new Standing(null, SENT + 60_000, SENT + 600_000), both);
    assertEquals(new Standing(null, SENT + 60_000, null), after(both, change(Kind.MUTE, 0)));
  }

  @Test
  void a_kick_changes_no_standing() {
    Standing moderator = new Standing(Standing.MODERATOR, null, SENT + 1);
    assertEquals(moderator, after(moderator, change(Kind.KICK, 0)));
    assertTrue(after(null, change(Kind.KICK, 0)).isEmpty());
  }

  @Test
  void the_owner_names_and_unnames_a_moderator() {
    Standing named = after(null, RoomChange.role("alice", SENT, "bob", "moderator"));
    assertEquals(Standing.MODERATOR, named.role());
    Standing mutedModerator = after(named, change(Kind.MUTE, 60));
    Standing unnamed = after(mutedModerator, RoomChange.role("alice", SENT, "bob", "member"));
    assertEquals(new Standing(null, null, SENT + 60_000), unnamed, "a member again, still muted");
    assertTrue(after(named, RoomChange.role("alice", SENT, "bob", "member")).isEmpty());
  }

  @Test
  void a_banned_moderator_is_a_moderator_no_more() {
    Standing moderator = after(null, RoomChange.role("alice", SENT, "bob", "moderator"));
    Standing banned = after(moderator, change(Kind.BAN, 60));
    assertNull(banned.role());
    assertTrue(banned.banned(SENT));
    assertTrue(after(banned, change(Kind.UNBAN, 0)).isEmpty(), "not again when the ban is lifted");
  }

  @Test
  void a_ban_or_mute_that_ended_counts_no_more() {
    Standing both = new Standing(Standing.MODERATOR, SENT + 1000, SENT + 2000);
    assertEquals(both, both.at(SENT + 999));
    assertEquals(new Standing(Standing.MODERATOR, null, SENT + 2000), both.at(SENT + 1000));
    assertEquals(new Standing(Standing.MODERATOR, null, null), both.at(SENT + 2000), "the role stays");
    Standing forGood = new Standing(null, 0L, 0L);
    assertEquals(forGood, forGood.at(Long.MAX_VALUE));
    assertTrue(new Standing(null, SENT, null).at(SENT).isEmpty());
  }

  @Test
  void a_standing_read_back_from_its_json_is_the_same() {
    for (Standing standing : List.of(Standing.NONE, new Standing(Standing.MODERATOR, 0L, null),
        new Standing(null, SENT, SENT + 1))) {
      assertEquals(standing, Standing.fromJson(standing.toJson()));
      assertEquals(standing, Standing.fromJson(new JsonObject(standing.toJson().encode())), "through its text");
    }
    assertEquals(Standing.NONE, Standing.fromJson(null));
  }

  @Test
  void changes_about_a_member_and_about_a_message_do_not_mix() {
    assertThrows(IllegalArgumentException.class, () -> RoomChanges.apply(message(), change(Kind.KICK, 0)));
    assertThrows(IllegalArgumentException.class, () -> RoomChanges.standing(null,
        RoomChange.delete("mod", SENT, 1, MODERATOR)));
  }
}
