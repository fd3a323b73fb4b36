package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.MessageLog;
import io.parley.store.MessageLog.Access;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The access lists of private rooms: members invite, the owner removes. An invitation reaches the invitee's every
 * connection ({@code invited}); a removal makes the user leave the room on every node ({@code removed}).
 */
final class PrivateRooms {

  private final MessageLog store;
  private final RoomPermissions access;
  private final Membership membership;
  private final UserEvents users;

  PrivateRooms(MessageLog store, RoomPermissions access, Membership membership, UserEvents users) {
    this.store = store;
    this.access = access;
    this.membership = membership;
    this.users = users;
  }

  /** The {@code invited} frame's fields. */
  static JsonObject invited(String room, String nick, String by, RoomKind kind) {
    return new JsonObject().put("type", "invited").put("room", room).put("nick", nick).put("by", by)
        .put("kind", kind.code());
  }

  Future<JsonObject> invite(ChatConnection connection, Caller caller, ClientFrame.Invite invite) {
    String by = connection.as(caller.nick());
    return access.existing(invite.room(), by).compose(record -> invite(record, by, invite));
  }

  /** Invites as {@code by}, who may see the room (a member, or the backend: the server API). */
  Future<JsonObject> invite(RoomRecord record, String by, ClientFrame.Invite invite) {
    if (record.kind() != RoomKind.PRIVATE) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, record.kind() == RoomKind.PUBLIC
          ? "room '" + invite.room() + "' is public: anyone may join it" : "a direct conversation is for two");
    }
    return store.grant(invite.room(), invite.nick(), Access.INVITED).map(before -> {
      JsonObject frame = invited(invite.room(), invite.nick(), by, record.kind());
      if (before == null) {
        users.publish(invite.nick(), null, frame);
      }
      return frame.copy();
    });
  }

  Future<JsonObject> remove(ChatConnection connection, Caller caller, ClientFrame.Remove remove) {
    String by = connection.as(caller.nick());
    return access.existing(remove.room(), by).compose(record -> {
      if (record.kind() != RoomKind.PRIVATE || !by.equals(record.owner())) {
        throw new ProtocolException(ErrorCode.FORBIDDEN, "only the owner of a private room removes its members");
      }
      if (by.equals(remove.nick())) {
        throw new ProtocolException(ErrorCode.INVALID_VALUE, "the owner cannot remove themselves");
      }
      return remove(by, remove);
    });
  }

  /** Removes, as {@code by}: the owner, or the backend (the server API, which may remove anyone but the owner). */
  Future<JsonObject> remove(String by, ClientFrame.Remove remove) {
    return store.revoke(remove.room(), remove.nick())
        .compose(had -> membership.depart(remove.room(), remove.nick(), null).map(had))
        .map(had -> {
          JsonObject frame = new JsonObject().put("type", "removed").put("room", remove.room())
              .put("nick", remove.nick()).put("by", by);
          if (had) {
            users.publish(remove.nick(), null, frame);
          }
          return frame.copy();
        });
  }
}
