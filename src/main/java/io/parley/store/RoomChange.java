package io.parley.store;

/**
 * A change to a room asked of the store ({@link MessageLog#change}), with the rules it is judged by. It becomes a room
 * event of its {@code kind} under the room's next id, applied in the same transaction to what it changes: the
 * message {@code target} ({@code edit}, {@code delete}, {@code reaction}, see {@link RoomChanges#apply}) or the
 * {@link Standing} of member {@code nick} ({@code kick}, {@code ban}, {@code unban}, {@code mute}, {@code role}, see
 * {@link RoomChanges#standing}).
 *
 * @param by who does it (a nick; an operator's name through the server API)
 * @param ts when, epoch ms (the edit window and ban and mute durations count from it)
 * @param target the message an edit, deletion or reaction is about; 0 for the others
 * @param nick the member a kick, ban, unban, mute or role change is about; null for the others
 * @param text an edit's new text; null for the others
 * @param emoji a reaction's emoji; null for the others
 * @param on a reaction added (true) or taken back (false)
 * @param seconds how long a ban (0: for good) or a mute (0: lifted) lasts
 * @param role a role change's new role ({@code moderator}, {@code member})
 * @param rules what the one who does it may do to the target message
 */
public record RoomChange(Kind kind, String by, long ts, long target, String nick, String text, String emoji,
    boolean on, long seconds, String role, Rules rules) {

  /** The kinds of change; {@link #code()} is the event's frame type. */
  public enum Kind {
    EDIT, DELETE, REACTION, KICK, BAN, UNBAN, MUTE, ROLE;

    private final String code = name().toLowerCase(java.util.Locale.ROOT);

    public String code() {
      return code;
    }

    /** Whether it changes a message ({@code target}) rather than a member's standing ({@code nick}). */
    public boolean aboutMessage() {
      return this == EDIT || this == DELETE || this == REACTION;
    }

    public static Kind fromCode(String code) {
      for (Kind kind : values()) {
        if (kind.code.equals(code)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("no change '" + code + "'");
    }
  }

  /**
   * @param moderator the one who does it moderates the room: may delete anyone's message, with no time limit
   * @param maxEditAgeMs how old a message its sender may still edit or delete (0: no limit)
   * @param maxEmojiPerMessage how many different emoji a message may carry
   * @param maxReactionsPerUser how many emoji one user may put on one message
   */
  public record Rules(boolean moderator, long maxEditAgeMs, int maxEmojiPerMessage, int maxReactionsPerUser) {
    public static final Rules NONE = new Rules(false, 0, 0, 0);
  }

  public static RoomChange edit(String by, long ts, long target, String text, Rules rules) {
    return new RoomChange(Kind.EDIT, by, ts, target, null, text, null, false, 0, null, rules);
  }

  public static RoomChange delete(String by, long ts, long target, Rules rules) {
    return new RoomChange(Kind.DELETE, by, ts, target, null, null, null, false, 0, null, rules);
  }

  public static RoomChange reaction(String by, long ts, long target, String emoji, boolean on, Rules rules) {
    return new RoomChange(Kind.REACTION, by, ts, target, null, null, emoji, on, 0, null, rules);
  }

  /** A kick, ban, unban or mute of {@code nick} ({@code seconds} for ban and mute). */
  public static RoomChange member(Kind kind, String by, long ts, String nick, long seconds) {
    return new RoomChange(kind, by, ts, 0, nick, null, null, false, seconds, null, Rules.NONE);
  }

  public static RoomChange role(String by, long ts, String nick, String role) {
    return new RoomChange(Kind.ROLE, by, ts, 0, nick, null, null, false, 0, role, Rules.NONE);
  }
}
