package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.parley.store.MessageLog;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;
import io.parley.protocol.Names;
import java.util.Map;
import io.parley.common.KeyedRateLimit;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Who is in which room: joining (with the room's snapshot; creating public, private and direct rooms), leaving,
 * typing, the room list, and the departures of a connection that went away. Members are users: a user's second
 * connection in a room adds no member and no presence, and its leaving is announced with its last connection. Every
 * change is published as a {@code presence} frame carrying the membership version it made ({@link Directory}) and
 * the count after it; in a big room, as a throttled {@code count} instead ({@link RoomEvents}).
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
  private final int bigRoomSize;
  private final int membersPageSize;

  private final RoomPermissions access;
  private final UserEvents users;
  private final ReadMarkers markers;
  private final Standings standings;
  private final Admission admission;

  Membership(Directory directory, MessageLog log, Identity identity, Messages messages, RoomEvents events,
      RoomPermissions access, Admission admission, UserEvents users, ReadMarkers markers, Standings standings,
      ParleyConfig config) {
    this.standings = standings;
    this.admission = admission;
    this.access = access;
    this.users = users;
    this.markers = markers;
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
    this.bigRoomSize = config.get(Settings.BIG_ROOM_SIZE);
    this.membersPageSize = config.get(Settings.MEMBERS_PAGE_SIZE);
  }

  /**
   * Adds the connection's user to the room (a direct conversation's, for a join {@code with} someone; a new private
   * one for {@code visibility: private}) and answers the {@code joined} fields: members (a big room's first page),
   * their count, history, lastId, kind, the read marker... The user's other connections hear of it ({@code device}).
   */
  Future<JsonObject> join(ChatConnection connection, Caller caller, ClientFrame.Join join) {
    if (join.room() != null && !connection.rooms.contains(join.room())
        && connection.rooms.size() >= maxRoomsPerConnection) {
      throw tooManyRooms();
    }
    return identity.of(connection, caller).compose(nick -> {
      String room = join.with() == null ? join.room() : Names.directRoom(nick, join.with());
      if (nick.equals(join.with())) {
        throw new ProtocolException(ErrorCode.INVALID_VALUE, "a direct conversation is with someone else");
      }
      if (!connection.rooms.contains(room) && connection.rooms.size() >= maxRoomsPerConnection) {
        throw tooManyRooms();
      }
      return admission.ask(nick, room).compose(verdict -> existing(room, nick, caller, join)
          .map(record -> {
            if (join.with() != null && record.kind() != RoomKind.DIRECT) {
              throw new ProtocolException(ErrorCode.INVALID_ROOM, "room '" + room + "' is not a direct conversation");
            }
            return record;
          })
          .compose(record -> access.notBanned(record, nick))
          .compose(record -> admission.joinable(record, nick, verdict))
          .compose(record -> directory.join(room, nick, connection.id, bigRoomSize, membersPageSize)
              .compose(membership -> access.stillJoined(record, nick, () -> depart(room, nick, connection.id))
                  .map(membership))
              .compose(membership -> {
            boolean again = !connection.rooms.add(room);
            if (membership.added()) {
              events.presence(room, nick, "join", membership.version(), membership.count());
            }
            if (!again) {
              users.device(nick, connection.id, "join", room);
            }
            // While the database is down a public room is still joined from the cache, without its read marker.
            Future<Long> marker = markers.of(nick, room).otherwise((Long) null);
            // Roles too, from the store, which the room's cached standings are refreshed from; not while it is down.
            Future<Map<String, Standing>> roles = standings.fresh(room).otherwise((Map<String, Standing>) null);
            return Future.all(messages.snapshot(join.of(room), record), marker, with(record, nick), roles)
                .map(all -> {
                  JsonObject snapshot = all.resultAt(0);
                  Long read = all.resultAt(1);
                  JsonObject joined = new JsonObject().put("room", room)
                      .put("members", new JsonArray(membership.members())).put("membersVersion", membership.version())
                      .put("memberCount", membership.count())
                      .mergeIn(snapshot).put("kind", record.kind().code());
                  if (membership.partial()) {
                    joined.put("membersNext", membership.members().get(membership.members().size() - 1));
                  }
                  if (read != null) {
                    joined.put("read", read).put("unread", ReadMarkers.unread(snapshot.getLong("lastId"), read));
                  }
                  if (record.owner() != null) {
                    joined.put("owner", record.owner());
                  }
                  if (all.resultAt(2) != null) {
                    joined.put("with", all.<String>resultAt(2));
                  }
                  Map<String, Standing> standing = all.resultAt(3);
                  if (standing != null) {
                    Standing mine = standing.getOrDefault(nick, Standing.NONE).at(System.currentTimeMillis());
                    joined.put("moderators", Moderation.moderators(standing))
                        .put("role", RoomRoles.of(record, nick, mine).code());
                    if (mine.mutedUntil() != null) {
                      joined.put("mutedUntil", mine.mutedUntil());
                    }
                  }
                  return joined.put("nick", nick);
                });
          })));
    });
  }

  private ProtocolException tooManyRooms() {
    return new ProtocolException(ErrorCode.TOO_MANY_ROOMS,
        "at most " + maxRoomsPerConnection + " rooms at once; leave one first");
  }

  /** The other user of a direct conversation (null for other rooms). */
  private Future<String> with(RoomRecord record, String nick) {
    if (record.kind() != RoomKind.DIRECT) {
      return Future.succeededFuture(null);
    }
    return log.accessList(record.name()).map(list -> list.keySet().stream().filter(n -> !n.equals(nick))
        .findFirst().orElse(nick));
  }

  /**
   * The room's record; a join of a room that does not exist creates it (public, private, or the direct
   * conversation), at most {@code ROOM_CREATE_PER_MIN} per client address and while fewer than {@code MAX_ROOMS}
   * exist. The other user of a new direct conversation is told ({@code invited}).
   */
  private Future<RoomRecord> existing(String room, String nick, Caller caller, ClientFrame.Join join) {
    return log.room(room).compose(record -> {
      if (record != null) {
        return Future.succeededFuture(record);
      }
      if (join.with() == null && room.startsWith(Names.DIRECT_PREFIX)) {
        throw new ProtocolException(ErrorCode.INVALID_ROOM,
            "room names starting '" + Names.DIRECT_PREFIX + "' are direct conversations': join {\"with\": nick}");
      }
      String address = caller.address() == null ? "" : caller.address();
      if (!roomCreations.tryTake(address)) {
        throw new ProtocolException(ErrorCode.TOO_MANY_NEW_ROOMS,
            "at most " + roomCreationsPerMinute + " new rooms a minute from one address; join an existing one");
      }
      RoomKind kind = join.with() != null ? RoomKind.DIRECT : join.makePrivate() ? RoomKind.PRIVATE : RoomKind.PUBLIC;
      List<String> members = kind == RoomKind.DIRECT ? java.util.stream.Stream.of(nick, join.with()).sorted().toList()
          : List.of(nick); // a private or public room's creator owns it
      long asked = System.currentTimeMillis();
      return log.createRoom(room, maxRooms, kind, members).map(created -> {
        if (created == null) {
          throw new ProtocolException(ErrorCode.ROOM_LIMIT_REACHED, "there are " + maxRooms + " rooms already");
        }
        boolean madeNow = created.lastId() == 0 && created.created() >= asked - 1000;
        if (!madeNow) {
          roomCreations.refund(address); // it existed after all (made meanwhile, elsewhere): nothing was created
        } else if (kind.restricted()) {
          // Bridge sockets may have registered the name before it existed: those not on its list stop following it.
          users.restricted(room, members);
          if (kind == RoomKind.DIRECT) {
            users.publish(join.with(), null, PrivateRooms.invited(room, join.with(), nick, kind).put("with", nick));
          }
        }
        return created;
      }).onFailure(failure -> roomCreations.refund(address));
    });
  }

  Future<JsonObject> leave(ChatConnection connection, Caller caller, ClientFrame.Leave leave) {
    String nick = connection.as(caller.nick());
    connection.requireMember(leave.room());
    connection.rooms.remove(leave.room());
    users.device(nick, connection.id, "leave", leave.room());
    return depart(leave.room(), nick, connection.id).map(v -> new JsonObject().put("room", leave.room()));
  }

  Future<JsonObject> typing(ChatConnection connection, Caller caller, ClientFrame.Typing typing) {
    String nick = connection.as(caller.nick());
    connection.requireMember(typing.room());
    events.typing(typing.room(), nick);
    return Future.succeededFuture(new JsonObject());
  }

  /**
   * A page of the rooms {@code nick} (null: not identified) may see, by name: each with its member count now, newest
   * id, last activity and kind, and for a user its access, read marker and unread count; {@code next} names the last
   * of a full page, to ask for the one after.
   */
  Future<JsonObject> rooms(String nick, ClientFrame.Rooms page) {
    return log.rooms(nick, page.after(), page.limit()).compose(records -> {
      List<String> names = records.stream().map(RoomRecord::name).toList();
      Future<Map<String, MessageLog.Access>> access = nick == null ? Future.succeededFuture(Map.of())
          : log.accessOf(nick, names);
      Future<Map<String, Long>> read = nick == null ? Future.succeededFuture(Map.of()) : log.readMarkers(nick, names);
      Future<List<String>> others = Future.all(records.stream().map(record -> nick == null
          ? Future.<String>succeededFuture(null) : with(record, nick)).toList()).map(all -> all.<String>list());
      return Future.all(directory.memberCounts(names), access, read, others).map(all -> {
        Map<String, Integer> counts = all.resultAt(0);
        Map<String, MessageLog.Access> accessOf = all.resultAt(1);
        Map<String, Long> markers = all.resultAt(2);
        List<String> with = all.resultAt(3);
        JsonArray list = new JsonArray();
        for (int i = 0; i < records.size(); i++) {
          RoomRecord record = records.get(i);
          JsonObject entry = new JsonObject().put("room", record.name()).put("kind", record.kind().code())
              .put("members", counts.get(record.name())).put("lastId", record.lastId())
              .put("lastActive", record.lastActive());
          if (record.owner() != null) {
            entry.put("owner", record.owner());
          }
          if (accessOf.get(record.name()) != null) {
            entry.put("access", accessOf.get(record.name()).code());
          }
          if (with.get(i) != null) {
            entry.put("with", with.get(i));
          }
          if (nick != null) {
            long marker = markers.getOrDefault(record.name(), 0L);
            entry.put("read", marker).put("unread", ReadMarkers.unread(record.lastId(), marker));
          }
          list.add(entry);
        }
        JsonObject reply = new JsonObject().put("rooms", list);
        if (records.size() == page.limit()) {
          reply.put("next", records.get(records.size() - 1).name());
        }
        return reply;
      });
    });
  }

  /**
   * A page of a room's members ({@code members}): the users after {@code after}, their count and the membership
   * version now, and {@code next} when more follow. Who may read the room is checked before.
   */
  Future<JsonObject> members(ClientFrame.Members page) {
    return directory.page(page.room(), page.after(), page.limit()).map(found -> {
      JsonObject reply = new JsonObject().put("room", page.room()).put("members", new JsonArray(found.members()))
          .put("count", found.count()).put("version", found.version());
      if (found.next() != null) {
        reply.put("next", found.next());
      }
      return reply;
    });
  }

  /** This node's connections of a user removed from a room are in it no more (the removal left it already). */
  void removed(List<ChatConnection> connections, String room) {
    connections.forEach(connection -> connection.rooms.remove(room));
  }

  /** A connection went away: it leaves its rooms (with presence), then its nick is released. */
  Future<Void> disconnect(ChatConnection connection) {
    if (connection.nick == null) {
      return Future.succeededFuture();
    }
    List<Future<Void>> departures = connection.rooms.stream()
        .map(room -> depart(room, connection.nick, connection.id)).toList();
    return Future.join(departures).eventually(() -> identity.release(connection)).mapEmpty();
  }

  /** Announces the departures a dead node's purge made, each with the count it left behind. */
  void announce(String room, Directory.Purge purge) {
    List<Directory.Departure> departures = purge.departures();
    for (int i = 0; i < departures.size(); i++) {
      Directory.Departure departure = departures.get(i);
      events.presence(room, departure.nick(), "leave", departure.version(),
          purge.remaining() + departures.size() - 1 - i);
    }
  }

  /** {@code connection} of {@code nick} leaves (null: the user, every connection); presence if the user left. */
  Future<Void> depart(String room, String nick, String connection) {
    return directory.leave(room, nick, connection).map(left -> {
      if (left.version() > 0) {
        events.presence(room, nick, "leave", left.version(), left.count());
      }
      return null;
    });
  }
}
