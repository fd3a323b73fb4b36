package io.parley.bus;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.Names;
import java.util.List;

/**
 * Every event-bus address Parley uses, and the addresses of the bridge protocol, declared once.
 *
 * <p><b>Requests</b> go {@code chat.*} to the node's chat service ({@code chat.ChatVerticle}), node-locally. Their
 * body is a {@link ChatRequest}: the validated frame and the {@link Caller} (which connection asks, and what its
 * request says of who it is), sent only by the connection core ({@code connection.Connection}) for every transport:
 * {@code /ws}, the SockJS bridge at {@code /eventbus} and the TCP bridge. The bridge protocol names its requests
 * by the same addresses ({@link #BRIDGE_INBOUND}); a bridge client never reaches the event bus itself.
 *
 * <p><b>Room events</b> (message, presence and typing frames) are published by the chat service once, cluster-wide,
 * on {@link #FANOUT}; every node's {@code fanout.RoomFanout} consumes it from start-up, puts each room's messages
 * in id order and hands the events to the node's connections that follow the room. Bridge clients follow a room by
 * registering its bridge address, {@link #room(String)}: a name in the bridge protocol, not an event-bus address.
 *
 * <p><b>Node-internal</b>: {@link #HISTORY_RANGE} and {@link #LAST_ID} (the fan-out reading history),
 * {@link #DISCONNECT} (a connection went away), {@link #PURGE_NODE} (a member of the cluster died).
 */
public final class Addresses {

  /**
   * The server API's operations ({@code api.ServerApi}), node-local: body {@code {op, ...fields}}, validated by the
   * API; reply the operation's JSON. Never reachable from a bridge: it is no {@code chat.*} request of the protocol.
   */
  public static final String SERVER_API = "parley.api";

  /** Claims a nick for a connection. Frame {@code hello}; reply {@code {nick}}. */
  public static final String HELLO = "chat.hello";
  /**
   * Joins a room. Frame {@code join}; reply the {@code joined} fields. A connection without a nick may claim one
   * first with its {@link Caller}'s nick or token (the bridge has no hello).
   */
  public static final String JOIN = "chat.join";
  /** Leaves a room. Frame {@code leave}; reply {@code {room}}. */
  public static final String LEAVE = "chat.leave";
  /** Posts a message. Frame {@code send}; reply a {@link SendResult}. */
  public static final String SEND = "chat.send";
  /** Signals typing. Frame {@code typing}; reply {@code {}}. */
  public static final String TYPING = "chat.typing";
  /** Lists rooms. Frame {@code rooms}; reply {@code {rooms}}. */
  public static final String ROOMS = "chat.rooms";
  /** Pages back through a room's history. Frame {@code history}; reply {@code {room, messages, lastId}}. */
  public static final String HISTORY = "chat.history";
  /** Pages through a room's members. Frame {@code members}; reply {@code {room, members, count, version, next?}}. */
  public static final String MEMBERS = "chat.members";
  /** Invites a user to a private room. Frame {@code invite}; reply the {@code invited} fields. */
  public static final String INVITE = "chat.invite";
  /** The owner removes a user from a private room. Frame {@code remove}; reply the {@code removed} fields. */
  public static final String REMOVE = "chat.remove";
  /** Moves the user's read marker. Frame {@code read}; reply the {@code read} fields. */
  public static final String READ = "chat.read";
  /** Member changes (moderators and the owner). Frames {@code role}, {@code kick}, {@code ban}, {@code unban},
   * {@code mute}; reply the {@code done} fields ({@code {room, id}}: the room event's id). */
  public static final String ROLE = "chat.role";
  public static final String KICK = "chat.kick";
  public static final String BAN = "chat.ban";
  public static final String UNBAN = "chat.unban";
  public static final String MUTE = "chat.mute";
  /** Message changes. Frames {@code edit}, {@code delete}, {@code react}; reply the {@code done} fields. */
  public static final String EDIT = "chat.edit";
  public static final String DELETE = "chat.delete";
  public static final String REACT = "chat.react";
  /** Every change a room's members and messages may undergo, one address each. */
  public static final List<String> CHANGES = List.of(ROLE, KICK, BAN, UNBAN, MUTE, EDIT, DELETE, REACT);
  /**
   * Cluster-wide: a member's standing in a room changed (role, ban, mute). Body {@code {room, nick, standing}}; each
   * node's chat service keeps the standings it checks sends against up to date. Never bridged.
   */
  public static final String STANDINGS = "chat.standings";
  /**
   * Node-internal: may this connection follow a room's events (a bridge registration)? Frame
   * {@link ClientFrame.Follow}; reply {@code {}}, or {@code forbidden} / {@code hello_required}.
   */
  public static final String FOLLOW = "chat.follow";

  /** Node-internal: the messages of an {@link IdRange} that the room keeps (a node filling a gap); reply a list. */
  public static final String HISTORY_RANGE = "chat.history-range";
  /** Node-internal: a room's newest id (0 if none). Body the room's name; reply a {@code Long}. */
  public static final String LAST_ID = "chat.last-id";
  /** A connection went away: release its nick and leave its rooms. Body its id; no reply. */
  public static final String DISCONNECT = "chat.disconnect";
  /**
   * Node-local: a node of the cluster died; the oldest node's chat service removes its members and announces their
   * departure. Body the dead node's id.
   */
  public static final String PURGE_NODE = "chat.purge-node";

  /**
   * Cluster-wide: every room event (message, presence, typing frame as {@code /ws} sends it), published once by the
   * chat service that made it; every node consumes it from start-up on. Never bridged.
   */
  public static final String FANOUT = "fanout.rooms";

  /**
   * Cluster-wide: a frame for one user's connections, on every node ({@code invited}, {@code removed}, {@code read},
   * {@code device}). Body {@code {nick, except?, frame}}: {@code except} a connection id that must not get it (the
   * one that caused it). Consumed by each node's chat service and by every verticle's connections. Never bridged.
   */
  public static final String USERS = "users.events";

  /** What a bridge client may send to: exactly the requests the web page makes. */
  public static final List<String> BRIDGE_INBOUND = List.of(HELLO, JOIN, LEAVE, SEND, TYPING, ROOMS, HISTORY, MEMBERS, INVITE,
      REMOVE, READ, ROLE, KICK, BAN, UNBAN, MUTE, EDIT, DELETE, REACT);
  /** Prefix of the bridge addresses of rooms, which bridge clients register to follow a room. */
  public static final String ROOM_PREFIX = "chat.room.";
  /** The bridge address a socket registers to receive its user's frames ({@link #USERS}); after it is identified. */
  public static final String USER = "chat.user";

  private static final String REQUEST_PREFIX = "chat.";

  private Addresses() {
  }

  /** The address of the chat service that handles {@code frame}. */
  public static String of(ClientFrame frame) {
    return REQUEST_PREFIX + frame.type();
  }

  /** The frame type a bridge request address stands for ({@code chat.join}: {@code join}), or null if none. */
  public static String frameTypeOf(String bridgeAddress) {
    return BRIDGE_INBOUND.contains(bridgeAddress) ? bridgeAddress.substring(REQUEST_PREFIX.length()) : null;
  }

  /** The bridge address of a room's events (message, presence, typing frames). */
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
