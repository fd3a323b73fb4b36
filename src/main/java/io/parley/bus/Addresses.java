package io.parley.bus;

import io.parley.protocol.Names;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every event-bus address Parley uses, declared once.
 *
 * <p>Requests go {@code chat.*} to the node's chat service. Their bodies are the client's own fields, checked by
 * the chat service with the protocol's rules, plus {@code conn}: the id of the connection that made the request,
 * which only the transport that owns the connection sets ({@code /ws} sessions, the SockJS bridge). Bridge clients
 * reach {@link #BRIDGE_INBOUND} directly; the bridge overwrites whatever {@code conn} they put in a body.
 *
 * <p>Room events travel twice: the chat service publishes each once, cluster-wide, on {@link #FANOUT}; each
 * node's {@code RoomFanout} puts those of its rooms in id order and hands them to its {@code /ws} sessions and, for
 * bridge clients, republishes them node-locally on {@link #room(String)}.
 */
public final class Addresses {

  /** Claims a nick for a connection. Body {@code {conn, nick}}; reply {@code {nick}}. */
  public static final String HELLO = "chat.hello";
  /**
   * Joins a room. Body {@code {conn, room, since?, nick?}}; reply {@code {room, members, history, lastId, recovered?}}.
   * A connection without a nick claims {@code nick} first (the bridge has no hello).
   */
  public static final String JOIN = "chat.join";
  /** Leaves a room. Body {@code {conn, room}}; reply {@code {room}}. */
  public static final String LEAVE = "chat.leave";
  /** Posts a message. Body {@code {conn, room, text, cid?}}; reply {@code {id}}. */
  public static final String SEND = "chat.send";
  /** Signals typing. Body {@code {conn, room}}; reply {@code {}}. */
  public static final String TYPING = "chat.typing";
  /** Lists rooms. Empty body; reply {@code {rooms}}. */
  public static final String ROOMS = "chat.rooms";
  /** Pages back through a room's history. Body {@code {room, before?, limit?}}; reply {@code {room, messages, lastId}}. */
  public static final String HISTORY = "chat.history";
  /** Node-internal: reads the ids from..to of a room (a node filling a gap). Body {@code {room, from, to}}; reply {@code {room, messages}}. */
  public static final String HISTORY_RANGE = "chat.history-range";
  /** Node-internal: a room's newest id (0 if none). Body {@code {room}}; reply {@code {lastId}}. */
  public static final String LAST_ID = "chat.last-id";
  /** A connection went away: release its nick and leave its rooms. Body {@code {conn}}; no reply. */
  public static final String DISCONNECT = "chat.disconnect";

  /**
   * Node-local: a node of the cluster died; the oldest node's chat service removes its members and
   * announces their departure. Body {@code {node}}.
   */
  public static final String PURGE_NODE = "chat.purge-node";

  /** Prefix of the node-local, ordered per-room addresses that bridge clients register. */
  public static final String ROOM_PREFIX = "chat.room.";
  /**
   * Cluster-wide: every room event (message, presence, typing frame), published once by the chat service that
   * made it; every node consumes it from start-up on. Never bridged.
   */
  public static final String FANOUT = "fanout.rooms";

  /** What a bridge client may send to: exactly the requests the web page makes. */
  public static final List<String> BRIDGE_INBOUND = List.of(JOIN, LEAVE, SEND, TYPING, ROOMS, HISTORY);
  /** What a bridge client may register: the room addresses, for valid room names only. */
  public static final String BRIDGE_OUTBOUND_REGEX = Pattern.quote(ROOM_PREFIX) + Names.ROOM_REGEX;

  private Addresses() {
  }

  /** The node-local address on which a room's events (message, presence, typing frames) reach bridge clients. */
  public static String room(String room) {
    return ROOM_PREFIX + room;
  }

  /** The room named by a {@link #room(String)} address, or null if {@code address} is not one. */
  public static String roomOf(String address) {
    if (address == null || !address.startsWith(ROOM_PREFIX)) {
      return null;
    }
    String room = address.substring(ROOM_PREFIX.length());
    return Names.isRoom(room) ? room : null;
  }
}
