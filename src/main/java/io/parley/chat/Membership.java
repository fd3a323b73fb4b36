package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.parley.store.MessageLog;
import io.parley.store.RoomRecord;
import io.parley.common.KeyedRateLimit;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
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
  private final int maxRooms;
  private final KeyedRateLimit roomCreations;
  private final int roomCreationsPerMinute;

  Membership(Directory directory, MessageLog log, Identity identity, Messages messages, RoomEvents events,
      ParleyConfig config) {
    this.directory = directory;
    this.log = log;
    this.identity = identity;
    this.messages = messages;
    this.events = events;
    this.maxRoomsPerConnection = config.get(Settings.MAX_ROOMS_PER_CONNECTION);
    this.maxRooms = config.get(Settings.MAX_ROOMS);
    int perMinute = config.get(Settings.ROOM_CREATE_PER_MIN);
    this.roomCreations = new KeyedRateLimit(perMinute / 60.0, perMinute);
    this.roomCreationsPerMinute = perMinute;
  }

  /** Adds the connection's nick to the room and answers the {@code joined} fields: members, history, lastId... */
  Future<JsonObject> join(ChatConnection connection, Caller caller, ClientFrame.Join join) {
    String room = join.room();
    if (!connection.rooms.contains(room) && connection.rooms.size() >= maxRoomsPerConnection) {
      throw new ProtocolException(ErrorCode.TOO_MANY_ROOMS,
          "at most " + maxRoomsPerConnection + " rooms at once; leave one first");
    }
    return identity.of(connection, caller).compose(nick -> existing(room, caller))
        .compose(record -> directory.join(room, connection.nick).compose(membership -> {
          connection.rooms.add(room);
          if (membership.added()) {
            events.presence(room, connection.nick, "join", membership.version());
          }
          return messages.snapshot(join, record).map(snapshot -> new JsonObject().put("room", room)
              .put("members", new JsonArray(membership.members())).put("membersVersion", membership.version())
              .mergeIn(snapshot));
        }));
  }

  /**
   * The room's record; a join of a room that does not exist creates it, at most {@code ROOM_CREATE_PER_MIN} per
   * client address and while fewer than {@code MAX_ROOMS} exist.
   */
  private Future<RoomRecord> existing(String room, Caller caller) {
    return log.room(room).compose(record -> {
      if (record != null) {
        return Future.succeededFuture(record);
      }
      String address = caller.address() == null ? "" : caller.address();
      if (!roomCreations.tryTake(address)) {
        throw new ProtocolException(ErrorCode.TOO_MANY_NEW_ROOMS,
            "at most " + roomCreationsPerMinute + " new rooms a minute from one address; join an existing one");
      }
      return log.createRoom(room, maxRooms).map(created -> {
        if (created == null) {
          throw new ProtocolException(ErrorCode.ROOM_LIMIT_REACHED, "there are " + maxRooms + " rooms already");
        }
        if (created.lastId() > 0 || created.created() < System.currentTimeMillis() - 60_000) {
          roomCreations.refund(address); // it existed after all (made meanwhile, elsewhere): nothing was created
        }
        return created;
      }).onFailure(failure -> roomCreations.refund(address));
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

  /**
   * A page of the rooms, by name: each with its member count now, newest id and last activity; {@code next} names the
   * last of a full page, to ask for the one after.
   */
  Future<JsonObject> rooms(ClientFrame.Rooms page) {
    return log.rooms(page.after(), page.limit()).compose(records -> directory.memberCounts(
        records.stream().map(RoomRecord::name).toList()).map(counts -> {
          JsonArray list = new JsonArray();
          for (RoomRecord record : records) {
            list.add(new JsonObject().put("room", record.name()).put("members", counts.get(record.name()))
                .put("lastId", record.lastId()).put("lastActive", record.lastActive()));
          }
          JsonObject reply = new JsonObject().put("rooms", list);
          if (records.size() == page.limit()) {
            reply.put("next", records.get(records.size() - 1).name());
          }
          return reply;
        }));
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
