package io.parley.bus;

/**
 * Every event-bus address Parley uses, declared once. Requests go {@code chat.*} to the chat service;
 * room events are published on {@link #room(String)} to every subscriber of that room.
 */
public final class Addresses {

  /** Claims a nick for a connection. Body {@code {conn, nick}}; reply {@code {nick}}. */
  public static final String HELLO = "chat.hello";
  /** Joins a room. Body {@code {conn, nick, room, since?}}; reply {@code {room, members, history, lastId, recovered}}. */
  public static final String JOIN = "chat.join";
  /** Leaves a room. Body {@code {conn, nick, room}}; reply {@code {room}}. */
  public static final String LEAVE = "chat.leave";
  /** Posts a message. Body {@code {conn, nick, room, text, cid?}}; reply {@code {id}}. */
  public static final String SEND = "chat.send";
  /** Signals typing. Body {@code {conn, nick, room}}; no reply. */
  public static final String TYPING = "chat.typing";
  /** Lists rooms. Empty body; reply {@code {rooms}}. */
  public static final String ROOMS = "chat.rooms";
  /**
   * Reads a room's history. Body {@code {room, before?, limit}} pages back; {@code {room, from, to}} reads the
   * ids from..to (a node filling a gap). Reply {@code {room, messages}}.
   */
  public static final String HISTORY = "chat.history";
  /** A connection went away: release its nick and leave its rooms. Body {@code {conn}}; no reply. */
  public static final String DISCONNECT = "chat.disconnect";

  /**
   * Node-local: a node of the cluster died; the oldest node's chat service removes its members and
   * announces their departure. Body {@code {node}}.
   */
  public static final String PURGE_NODE = "chat.purge-node";

  /** Prefix of the per-room addresses on which room events are published. */
  public static final String ROOM_PREFIX = "chat.room.";

  private Addresses() {
  }

  /** The address on which a room's events (message, presence, typing frames) are published. */
  public static String room(String room) {
    return ROOM_PREFIX + room;
  }
}
