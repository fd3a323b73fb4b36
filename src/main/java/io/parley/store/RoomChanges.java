package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a {@link RoomChange} does, as pure functions every store applies in the transaction that stores the change
 * (so the rules are written once): the target message's new state, the event that records the change, a member's
 * new standing. Unit-tested in {@code RoomChangesTest}.
 */
public final class RoomChanges {

  private RoomChanges() {
  }

  /**
   * The target message after an edit, deletion or reaction; refused with {@code not_found} (no such message, or it
   * was deleted), {@code forbidden} (someone else's message: only its sender edits it, and only a moderator deletes
   * it), {@code edit_window_passed} (its sender's edit or deletion after {@code maxEditAgeMs}) or
   * {@code too_many_reactions}.
   */
  public static ChatMessage apply(ChatMessage target, RoomChange change) {
    if (target == null || !target.isMessage() || target.deleted()) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no message " + change.target() + " in this room");
    }
    boolean own = target.from().equals(change.by());
    RoomChange.Rules rules = change.rules();
    return switch (change.kind()) {
      case EDIT -> {
        if (!own) {
          throw new ProtocolException(ErrorCode.FORBIDDEN, "only its sender edits a message");
        }
        requireWithinWindow(target, change);
        yield target.with(change.text(), target.extraOrEmpty().copy().put("edited", true));
      }
      case DELETE -> {
        if (!own && !rules.moderator()) {
          throw new ProtocolException(ErrorCode.FORBIDDEN, "only its sender or a moderator deletes a message");
        }
        if (!rules.moderator()) {
          requireWithinWindow(target, change);
        }
        yield target.with("", new JsonObject().put("deleted", true));
      }
      case REACTION -> target.with(target.text(), react(target, change));
      default -> throw new IllegalArgumentException(change.kind() + " is not about a message");
    };
  }

  private static void requireWithinWindow(ChatMessage target, RoomChange change) {
    long max = change.rules().maxEditAgeMs();
    if (max > 0 && change.ts() - target.ts() > max) {
      throw new ProtocolException(ErrorCode.EDIT_WINDOW_PASSED, "message " + target.id() + " is older than "
          + max / 1000 + " s: it can no longer be edited or deleted by its sender");
    }
  }

  /** The target's extra fields with {@code reactions} (emoji to nicks, in the order they reacted) changed. */
  private static JsonObject react(ChatMessage target, RoomChange change) {
    JsonObject extra = target.extraOrEmpty().copy();
    JsonObject reactions = extra.getJsonObject("reactions", new JsonObject()).copy();
    JsonArray nicks = reactions.getJsonArray(change.emoji(), new JsonArray()).copy();
    if (change.on() && !nicks.contains(change.by())) {
      if (nicks.isEmpty() && reactions.size() >= change.rules().maxEmojiPerMessage()) {
        throw new ProtocolException(ErrorCode.TOO_MANY_REACTIONS, "message " + target.id() + " has "
            + reactions.size() + " different reactions, the most it may have");
      }
      long mine = reactions.stream().filter(e -> ((JsonArray) e.getValue()).contains(change.by())).count();
      if (mine >= change.rules().maxReactionsPerUser()) {
        throw new ProtocolException(ErrorCode.TOO_MANY_REACTIONS, "you have " + mine
            + " reactions on message " + target.id() + ", the most one user may have");
      }
      nicks.add(change.by());
    } else if (!change.on()) {
      nicks.remove(change.by());
    }
    if (nicks.isEmpty()) {
      reactions.remove(change.emoji());
    } else {
      reactions.put(change.emoji(), nicks);
    }
    if (reactions.isEmpty()) {
      extra.remove("reactions");
    } else {
      extra.put("reactions", reactions);
    }
    return extra;
  }

  /**
   * The event that records {@code change} under {@code id}: {@code target} (the message's new state, after
   * {@link #apply}) or null for a change about a member.
   */
  public static ChatMessage event(String room, long id, RoomChange change, ChatMessage target) {
    JsonObject extra = new JsonObject();
    String text = "";
    switch (change.kind()) {
      case EDIT -> {
        extra.put("target", change.target());
        text = change.text();
      }
      case DELETE -> extra.put("target", change.target());
      case REACTION -> extra.put("target", change.target()).put("emoji", change.emoji()).put("on", change.on())
          .put("reactions", target.extraOrEmpty().getJsonObject("reactions", new JsonObject()));
      case KICK, UNBAN -> extra.put("nick", change.nick());
      case BAN, MUTE -> {
        extra.put("nick", change.nick()).put("seconds", change.seconds());
        if (change.seconds() > 0) {
          extra.put("until", change.ts() + change.seconds() * 1000);
        }
      }
      case ROLE -> extra.put("nick", change.nick()).put("role", change.role());
      default -> throw new IllegalArgumentException(String.valueOf(change.kind()));
    }
    return new ChatMessage(room, id, change.by(), text, change.ts(), null, change.kind().code(), extra);
  }

  /** An edit of a message since deleted: its text goes too (a deletion removes the text from storage). */
  public static ChatMessage redacted(ChatMessage edit) {
    return edit.with("", edit.extra());
  }

  /** Member {@code nick}'s standing after a kick (none changed), ban, unban, mute or role change. */
  public static Standing standing(Standing before, RoomChange change) {
    Standing s = before == null ? Standing.NONE : before;
    long until = change.ts() + change.seconds() * 1000;
    return switch (change.kind()) {
      case KICK -> s;
      // A banned moderator is a moderator no more.
      case BAN -> new Standing(Standing.MODERATOR.equals(s.role()) ? null : s.role(),
          change.seconds() == 0 ? 0L : until, s.mutedUntil());
      case UNBAN -> new Standing(s.role(), null, s.mutedUntil());
      case MUTE -> new Standing(s.role(), s.bannedUntil(), change.seconds() == 0 ? null : until);
      case ROLE -> new Standing(Standing.MODERATOR.equals(change.role()) ? Standing.MODERATOR
          : Standing.OWNER.equals(change.role()) ? Standing.OWNER : null, s.bannedUntil(), s.mutedUntil());
      default -> throw new IllegalArgumentException(change.kind() + " is not about a member");
    };
  }
}
