package io.parley.protocol;

/**
 * A validated frame from a client. Every frame may carry a {@code ref} (a string of at most 64 characters)
 * that the server echoes in its direct answer: {@code welcome}, {@code joined}, {@code left}, {@code rooms},
 * {@code history} or {@code error}.
 */
public sealed interface ClientFrame {

  String ref();

  /** The frame's {@code type}, as the client writes it. */
  String type();

  /**
   * {@code nick} may be null when a {@code token} (a JWT) names it; the chat service decides which counts.
   * {@code session}: a guest's secret from an earlier {@code welcome}, to be that user again (null: none).
   */
  record Hello(String ref, String nick, String token, String session) implements ClientFrame {
    public Hello(String ref, String nick, String token) {
      this(ref, nick, token, null);
    }

    public String type() {
      return "hello";
    }
  }

  /**
   * {@code since} is null when the client wants the recent history rather than a resume; {@code epoch}, the room
   * epoch the client's ids belong to, or null. {@code makePrivate}: a room this join creates is private. {@code with}:
   * the other user of a direct conversation, when {@code room} is null (the chat service names the room).
   */
  record Join(String ref, String room, Long since, String epoch, boolean makePrivate, String with)
      implements ClientFrame {
    public Join(String ref, String room, Long since, String epoch) {
      this(ref, room, since, epoch, false, null);
    }

    /** The same join, of {@code named} (the direct conversation's room, once known). */
    public Join of(String named) {
      return new Join(ref, named, since, epoch, makePrivate, with);
    }

    public String type() {
      return "join";
    }
  }

  record Leave(String ref, String room) implements ClientFrame {
    public String type() {
      return "leave";
    }
  }

  /** {@code cid} is the client's own id for the message, echoed in the {@code message} frame; may be null. */
  record Send(String ref, String room, String text, String cid) implements ClientFrame {
    public String type() {
      return "send";
    }
  }

  record Typing(String ref, String room) implements ClientFrame {
    public String type() {
      return "typing";
    }
  }

  /** A page of the room list: the rooms by name after {@code after} (null: from the first), at most {@code limit}. */
  record Rooms(String ref, String after, int limit) implements ClientFrame {
    public String type() {
      return "rooms";
    }
  }

  /** {@code before} is null for the newest page. */
  record History(String ref, String room, Long before, int limit) implements ClientFrame {
    public String type() {
      return "history";
    }
  }

  /** A page of a room's members: the users after {@code after} (null: from the first), at most {@code limit}. */
  record Members(String ref, String room, String after, int limit) implements ClientFrame {
    public String type() {
      return "members";
    }
  }

  /** Invites {@code nick} to the private room {@code room}. */
  record Invite(String ref, String room, String nick) implements ClientFrame {
    public String type() {
      return "invite";
    }
  }

  /** The owner of a private room takes {@code nick}'s access away (and it leaves). */
  record Remove(String ref, String room, String nick) implements ClientFrame {
    public String type() {
      return "remove";
    }
  }

  /** The user has read {@code room} up to {@code id}. */
  record Read(String ref, String room, long id) implements ClientFrame {
    public String type() {
      return "read";
    }
  }

  /**
   * A change to a member's standing in {@code room}: {@code type} {@code role} (with {@code role}: {@code moderator} or
   * {@code member}), {@code kick}, {@code ban} ({@code seconds}, 0: for good), {@code unban}, {@code mute}
   * ({@code seconds}, 0: lifted). Answered {@code done}; the change reaches the room as an event of the same type.
   */
  record Moderate(String ref, String type, String room, String nick, long seconds, String role)
      implements ClientFrame {
  }

  /**
   * A change to message {@code id} of {@code room}: {@code type} {@code edit} (with {@code text}), {@code delete},
   * {@code react} (with {@code emoji}; {@code on}: add, else take back). Answered {@code done}; the change reaches the
   * room as an event ({@code edit}, {@code delete}, {@code reaction}).
   */
  record ChangeMessage(String ref, String type, String room, long id, String text, String emoji, boolean on)
      implements ClientFrame {
  }

  /**
   * Not a frame a client writes: what a bridge registration of a room's address asks the chat service (may this
   * connection follow the room?).
   */
  record Follow(String ref, String room) implements ClientFrame {
    public String type() {
      return "follow";
    }
  }
}
