package io.parley.chat;

import io.parley.bus.BackendRequest;
import io.parley.bus.SendResult;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.parley.store.MessageLog;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an application backend does through the server API ({@code api.ServerApi}): the same operations as a user's,
 * through the same parts (so the same ids, storage, fan-out, presence and user frames), but as the operator of every
 * room: past membership, mutes and the rules of {@link RoomRoles}. Its requests come validated from the API; it
 * acts as the system ({@link ChatMessage#SYSTEM}, {@code "by": "system"} in frames) or, for messages, as a bot.
 */
final class Backend {

  private static final Logger log = LoggerFactory.getLogger(Backend.class);

  private final MessageLog store;
  private final Directory directory;
  private final Messages messages;
  private final Membership membership;
  private final PrivateRooms privateRooms;
  private final Moderation moderation;
  private final Standings standings;
  private final UserEvents users;
  private final int maxRooms;

  Backend(MessageLog store, Directory directory, Messages messages, Membership membership, PrivateRooms privateRooms,
      Moderation moderation, Standings standings, UserEvents users, int maxRooms) {
    this.store = store;
    this.directory = directory;
    this.messages = messages;
    this.membership = membership;
    this.privateRooms = privateRooms;
    this.moderation = moderation;
    this.standings = standings;
    this.users = users;
    this.maxRooms = maxRooms;
  }

  /** Runs one operation of the API; answers the reply's JSON. */
  Future<JsonObject> handle(BackendRequest request) {
    String room = request.room();
    JsonObject fields = request.fields();
    return switch (request.op()) {
      case "publish" -> existing(room).compose(record -> publish((ClientFrame.Send) request.frame(),
          fields.getString("bot")));
      case "rooms" -> membership.rooms(fields.getString("nick"), (ClientFrame.Rooms) request.frame());
      case "room" -> existing(room).compose(this::describe);
      case "offline" -> existing(room).compose(this::offline);
      case "history" -> existing(room).compose(record -> messages.history((ClientFrame.History) request.frame()));
      case "create" -> create(room, fields);
      case "invite" -> existing(room).compose(record -> privateRooms.invite(record, ChatMessage.SYSTEM,
          (ClientFrame.Invite) request.frame()));
      case "remove" -> existing(room).compose(record -> {
        ClientFrame.Remove remove = (ClientFrame.Remove) request.frame();
        if (record.kind() != RoomKind.PRIVATE) {
          throw new ProtocolException(ErrorCode.INVALID_VALUE, "only private rooms have members to remove");
        }
        if (remove.nick().equals(record.owner())) {
          throw new ProtocolException(ErrorCode.INVALID_VALUE, "the owner of a private room cannot be removed");
        }
        return privateRooms.remove(ChatMessage.SYSTEM, remove);
      });
      case "moderate" -> existing(room).compose(record -> moderation.member(record, ChatMessage.SYSTEM, true,
          (ClientFrame.Moderate) request.frame()));
      case "delete" -> existing(room).compose(record -> moderation.message(ChatMessage.SYSTEM, true,
          (ClientFrame.ChangeMessage) request.frame()));
      case "disconnect" -> disconnect(fields.getString("nick"), fields.getString("reason"));
      default -> Future.failedFuture(new ProtocolException(ErrorCode.UNKNOWN_TYPE,
          "no operation '" + request.op() + "'"));
    };
  }

  private Future<RoomRecord> existing(String room) {
    return store.room(room).map(record -> {
      if (record == null) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "no room '" + room + "'");
      }
      return record;
    });
  }

  /** A bot's message ({@code bot}: its name) or, without one, the system's. */
  private Future<JsonObject> publish(ClientFrame.Send send, String bot) {
    String from = bot == null ? ChatMessage.SYSTEM : ChatMessage.bot(bot);
    return messages.post(send.room(), from, send.text(), send.cid())
        .map(result -> {
          JsonObject reply = new JsonObject().put("room", send.room());
          if (result instanceof SendResult.Stored stored) {
            return reply.put("id", stored.id()).put("repeated", false);
          }
          return reply.put("id", ((SendResult.Repeated) result).id()).put("repeated", true);
        });
  }

  /**
   * For a webhook about a message: who of a private room's (or direct conversation's) members has no connection in
   * it now, for a backend's push notifications; a public room has no member list beyond who is in it, so nothing.
   */
  private Future<JsonObject> offline(RoomRecord record) {
    if (!record.kind().restricted()) {
      return Future.succeededFuture(new JsonObject());
    }
    return Future.all(directory.members(record.name()), store.accessList(record.name())).map(all -> {
      java.util.Set<String> present = new java.util.HashSet<>(all.<List<String>>resultAt(0));
      JsonArray offline = new JsonArray();
      all.<Map<String, MessageLog.Access>>resultAt(1).keySet().stream().filter(nick -> !present.contains(nick))
          .sorted().forEach(offline::add);
      return new JsonObject().put("offline", offline);
    });
  }

  /** The room as the backend sees it: its record, who is in it now, its access list and standings. */
  private Future<JsonObject> describe(RoomRecord record) {
    String room = record.name();
    Future<List<String>> present = directory.members(room);
    Future<Map<String, MessageLog.Access>> access = record.kind().restricted() ? store.accessList(room)
        : Future.succeededFuture(Map.of());
    Future<Map<String, Standing>> standing = standings.fresh(room);
    return Future.all(present, access, standing).map(all -> {
      JsonObject reply = new JsonObject().put("room", room).put("kind", record.kind().code())
          .put("epoch", record.epoch()).put("lastId", record.lastId()).put("created", record.created())
          .put("lastActive", record.lastActive()).put("online", new JsonArray(all.<List<String>>resultAt(0)));
      if (record.owner() != null) {
        reply.put("owner", record.owner());
      }
      if (record.kind().restricted()) {
        JsonArray members = new JsonArray();
        all.<Map<String, MessageLog.Access>>resultAt(1).entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .forEach(e -> members.add(new JsonObject().put("nick", e.getKey()).put("access", e.getValue().code())));
        reply.put("members", members);
      }
      long now = System.currentTimeMillis();
      JsonArray standings = new JsonArray();
      all.<Map<String, Standing>>resultAt(2).entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        Standing now0 = e.getValue().at(now);
        if (!now0.isEmpty()) {
          JsonObject entry = new JsonObject().put("nick", e.getKey());
          if (now0.role() != null) {
            entry.put("role", now0.role());
          }
          if (now0.bannedUntil() != null) {
            entry.put("bannedUntil", now0.bannedUntil());
          }
          if (now0.mutedUntil() != null) {
            entry.put("mutedUntil", now0.mutedUntil());
          }
          standings.add(entry);
        }
      });
      return reply.put("standings", standings);
    });
  }

  /**
   * A new room: public (owned by {@code owner}, if named) or private (owned by {@code owner}, with {@code members}
   * invited). A room that exists already is {@code invalid_value}: the API says so rather than change its kind.
   */
  private Future<JsonObject> create(String room, JsonObject fields) {
    RoomKind kind = "private".equals(fields.getString("kind")) ? RoomKind.PRIVATE : RoomKind.PUBLIC;
    String owner = fields.getString("owner");
    List<String> invited = fields.getJsonArray("members", new JsonArray()).stream().map(String::valueOf)
        .filter(nick -> !nick.equals(owner)).distinct().toList();
    long asked = System.currentTimeMillis();
    return store.room(room).compose(before -> {
      if (before != null) {
        throw new ProtocolException(ErrorCode.ALREADY_EXISTS, "room '" + room + "' exists already");
      }
      return store.createRoom(room, maxRooms, kind, owner == null ? List.of() : List.of(owner));
    }).compose(created -> {
      if (created == null) {
        throw new ProtocolException(ErrorCode.ROOM_LIMIT_REACHED, "there are " + maxRooms + " rooms already");
      }
      if (created.lastId() != 0 || created.created() < asked - 1000) {
        throw new ProtocolException(ErrorCode.ALREADY_EXISTS, "room '" + room + "' exists already");
      }
      if (kind.restricted()) {
        // Bridge sockets may have registered the name before it existed: only its members go on following it.
        users.restricted(room, owner == null ? List.of() : List.of(owner));
      }
      List<Future<JsonObject>> invites = new ArrayList<>();
      for (String nick : invited) {
        invites.add(privateRooms.invite(created, ChatMessage.SYSTEM, new ClientFrame.Invite(null, room, nick)));
      }
      log.info("server API created {} room {} (owner {}, {} invited)", kind.code(), room, owner, invited.size());
      return Future.all(invites).map(all -> new JsonObject().put("room", room).put("kind", kind.code())
          .put("owner", owner).put("epoch", created.epoch()).put("invited", new JsonArray(invited)));
    });
  }

  /** Closes every connection of {@code nick}, on every node ({@code disconnect} user frame, close code 4002). */
  private Future<JsonObject> disconnect(String nick, String reason) {
    users.publish(nick, null, new JsonObject().put("type", "disconnect")
        .put("reason", reason == null ? "disconnected by the server" : reason));
    log.info("server API disconnects {}'s connections", nick);
    return Future.succeededFuture(new JsonObject().put("nick", nick));
  }
}
