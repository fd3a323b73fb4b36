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

  /** {@code nick} may be null when a {@code token} (a JWT) names it; the chat service decides which counts. */
  record Hello(String ref, String nick, String token) implements ClientFrame {
    public String type() {
      return "hello";
    }
  }

  /**
   * {@code since} is null when the client wants the recent history rather than a resume; {@code epoch}, the room
   * epoch the client's ids belong to, or null.
   */
  record Join(String ref, String room, Long since, String epoch) implements ClientFrame {
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
}
