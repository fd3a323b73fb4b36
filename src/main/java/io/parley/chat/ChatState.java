package io.parley.chat;

import io.parley.config.ParleyConfig;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who is connected, who is in which room, and each room's sequence and history. Confined to the chat
 * verticle's event loop: no locks. Connections are named by an opaque id chosen by the transport; the nick
 * is looked up from it, so a connection can only ever act as the nick it claimed.
 */
final class ChatState {

  private final ParleyConfig config;
  private final Map<String, Room> rooms = new TreeMap<>();
  private final Map<String, Connection> connections = new HashMap<>();
  private final Map<String, String> nickOwners = new HashMap<>();

  ChatState(ParleyConfig config) {
    this.config = config;
  }

  /** What {@link #join} did: the reply body, and whether the nick is new to the room (publish presence). */
  record Joined(String nick, JsonObject reply, boolean newMember) {
  }

  /** What a closed connection left behind: its nick and the rooms it was in. */
  record Departure(String nick, Set<String> rooms) {
  }

  void hello(String conn, String nick) {
    Connection existing = connections.get(conn);
    if (existing != null) {
      throw new ProtocolException(ErrorCode.ALREADY_IDENTIFIED, "this connection is already '" + existing.nick + "'");
    }
    if (nickOwners.containsKey(nick)) {
      throw new ProtocolException(ErrorCode.NICK_TAKEN, "nick '" + nick + "' is taken");
    }
    connections.put(conn, new Connection(nick));
    nickOwners.put(nick, conn);
  }

  Joined join(String conn, String roomName, Long since) {
    Connection connection = connection(conn);
    Room room = rooms.computeIfAbsent(roomName, name -> new Room(config.historySize()));
    boolean newMember = room.members.add(connection.nick);
    connection.rooms.add(roomName);
    RoomHistory history = room.history;
    List<ChatMessage> messages = since == null
        ? history.before(null, config.joinHistory())
        : history.after(since, config.historyPageMax());
    JsonObject reply = new JsonObject()
        .put("room", roomName)
        .put("members", new JsonArray(List.copyOf(room.members)))
        .put("history", toJson(messages))
        .put("lastId", history.lastId());
    if (since != null) {
      reply.put("recovered", reachesBackTo(since, messages, history.lastId()));
    }
    return new Joined(connection.nick, reply, newMember);
  }

  /** True when {@code messages} are exactly every message after {@code since}: no gap for the client. */
  private static boolean reachesBackTo(long since, List<ChatMessage> messages, long lastId) {
    if (since > lastId) {
      return false; // the client saw ids this room never reached: its history was reset
    }
    return messages.isEmpty() ? since == lastId : messages.get(0).id() == since + 1;
  }

  String leave(String conn, String roomName) {
    Connection connection = member(conn, roomName);
    connection.rooms.remove(roomName);
    rooms.get(roomName).members.remove(connection.nick);
    return connection.nick;
  }

  ChatMessage send(String conn, String roomName, String text, String cid, long now) {
    Connection connection = member(conn, roomName);
    RoomHistory history = rooms.get(roomName).history;
    ChatMessage message = new ChatMessage(roomName, history.nextId(), connection.nick, text, now, cid);
    history.append(message);
    return message;
  }

  /** The nick that is typing, after checking it is in the room. */
  String typing(String conn, String roomName) {
    return member(conn, roomName).nick;
  }

  /** Forgets a connection; null when it never said hello. */
  Departure disconnect(String conn) {
    Connection connection = connections.remove(conn);
    if (connection == null) {
      return null;
    }
    nickOwners.remove(connection.nick);
    for (String roomName : connection.rooms) {
      rooms.get(roomName).members.remove(connection.nick);
    }
    return new Departure(connection.nick, Set.copyOf(connection.rooms));
  }

  JsonArray roomList() {
    JsonArray list = new JsonArray();
    rooms.forEach((name, room) -> list.add(new JsonObject()
        .put("room", name)
        .put("members", room.members.size())
        .put("lastId", room.history.lastId())));
    return list;
  }

  JsonArray history(String roomName, Long before, int limit) {
    Room room = rooms.get(roomName);
    return room == null ? new JsonArray() : toJson(room.history.before(before, limit));
  }

  private Connection connection(String conn) {
    Connection connection = connections.get(conn);
    if (connection == null) {
      throw new ProtocolException(ErrorCode.HELLO_REQUIRED, "say hello first");
    }
    return connection;
  }

  private Connection member(String conn, String roomName) {
    Connection connection = connection(conn);
    if (!connection.rooms.contains(roomName)) {
      throw new ProtocolException(ErrorCode.NOT_JOINED, "join room '" + roomName + "' first");
    }
    return connection;
  }

  private static JsonArray toJson(List<ChatMessage> messages) {
    JsonArray array = new JsonArray();
    messages.forEach(m -> array.add(m.toJson()));
    return array;
  }

  private static final class Room {
    final RoomHistory history;
    final Set<String> members = new TreeSet<>();

    Room(int historySize) {
      this.history = new RoomHistory(historySize);
    }
  }

  private static final class Connection {
    final String nick;
    final Set<String> rooms = new HashSet<>();

    Connection(String nick) {
      this.nick = nick;
    }
  }
}
