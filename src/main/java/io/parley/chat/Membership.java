package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.parley.store.MessageLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Who is in which room: joining (with the room's snapshot), leaving, typing, the room list, and the departures of a
 * connection that went away. Every change is published as a {@code presence} frame carrying the membership version
 * it made ({@link Directory}).
 */
final class Membership {

  private final Directory directory;
  private final MessageLog log;
  private final Identity identity;
  private final Messages messages;
  private final RoomEvents events;
  private final int maxRoomsPerConnection;

  Membership(Directory directory, MessageLog log, Identity identity, Messages messages, RoomEvents events,
      int maxRoomsPerConnection) {
    this.directory = directory;
    this.log = log;
    this.identity = identity;
    this.messages = messages;
    this.events = events;
    this.maxRoomsPerConnection = maxRoomsPerConnection;
  }

  /** Adds the connection's nick to the room and answers the {@code joined} fields: members, history, lastId... */
  Future<JsonObject> join(ChatConnection connection, Caller caller, ClientFrame.Join join) {
    String room = join.room();
    if (!connection.rooms.contains(room) && connection.rooms.size() >= maxRoomsPerConnection) {
      throw new ProtocolException(ErrorCode.TOO_MANY_ROOMS,
          "at most " + maxRoomsPerConnection + " rooms at once; leave one first");
    }
    return identity.of(connection, caller).compose(nick -> directory.join(room, nick)).compose(membership -> {
      connection.rooms.add(room);
      if (membership.added()) {
        events.presence(room, connection.nick, "join", membership.version());
      }
      return messages.snapshot(join).map(snapshot -> new JsonObject().put("room", room)
          .put("members", new JsonArray(membership.members())).put("membersVersion", membership.version())
          .mergeIn(snapshot));
    });
  }

  Future<JsonObject> leave(ChatConnection connection, Caller caller, ClientFrame.Leave leave) {
    String nick = connection.as(caller.nick());
    connection.requireMember(leave.room());
    connection.rooms.remove(leave.room());
    return depart(leave.room(), nick).map(v -> new JsonObject().put("room", leave.room()));
  }

  Future<JsonObject> typing(ChatConnection connection, Caller caller, ClientFrame.Typing typing) {
    String nick = connection.as(caller.nick());
    connection.requireMember(typing.room());
    events.typing(typing.room(), nick);
    return Future.succeededFuture(new JsonObject());
  }

  /** Every room with its member count now and its newest id, sorted by name. */
  Future<JsonObject> rooms() {
    return directory.rooms().compose(counts -> {
      List<String> names = List.copyOf(counts.keySet());
      return Future.all(names.stream().map(log::lastId).toList()).map(lastIds -> {
        JsonArray list = new JsonArray();
        for (int i = 0; i < names.size(); i++) {
          list.add(new JsonObject().put("room", names.get(i)).put("members", counts.get(names.get(i)))
              .put("lastId", lastIds.<Long>resultAt(i)));
        }
        return new JsonObject().put("rooms", list);
      });
    });
  }

  /** A connection went away: it leaves its rooms (with presence), then its nick is released. */
  Future<Void> disconnect(ChatConnection connection) {
    if (connection.nick == null) {
      return Future.succeededFuture();
    }
    List<Future<Void>> departures = connection.rooms.stream().map(room -> depart(room, connection.nick)).toList();
    return Future.join(departures).eventually(() -> identity.release(connection)).mapEmpty();
  }

  /** Announces the departures a dead node's purge made. */
  void announce(String room, List<Directory.Departure> departures) {
    departures.forEach(departure -> events.presence(room, departure.nick(), "leave", departure.version()));
  }

  private Future<Void> depart(String room, String nick) {
    return directory.leave(room, nick).map(version -> {
      if (version > 0) {
        events.presence(room, nick, "leave", version);
      }
      return null;
    });
  }
}
