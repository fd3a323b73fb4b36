package io.parley.chat;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.MessageLog;
import io.parley.store.MessageLog.Access;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;
import io.vertx.core.Future;

/**
 * Who may do what in a room: anyone in a public one; in a private room or a direct conversation, those on its access
 * list (an invitation lets one join it, and read it before joining: follow it, page back). Everything about a
 * restricted room is {@code forbidden} to anyone else, including whether it exists; and everything about a room is
 * {@code banned} to a user banned from it.
 */
final class RoomPermissions {

  private final MessageLog store;
  private final Standings standings;

  RoomPermissions(MessageLog store, Standings standings) {
    this.store = store;
    this.standings = standings;
  }

  /**
   * The room's record (null: no such room) if {@code nick} (null: not identified) may read it; else forbidden, or
   * banned (a user banned from the room reads nothing of it either).
   */
  Future<RoomRecord> readable(String room, String nick) {
    return listed(room, nick).compose(record -> record == null || nick == null ? Future.succeededFuture(record)
        : notBanned(record, nick));
  }

  /** {@code record} if {@code nick} is not banned from it now; else {@code banned}. */
  Future<RoomRecord> notBanned(RoomRecord record, String nick) {
    // While the store is down, what this node last knew of the room's standings (a public room is still joined from
    // the cache then); a room it knows nothing of stays refused (unavailable): a ban is never skipped.
    return store.standing(record.name(), nick).recover(down -> {
      Standing known = standings.lastKnown(record.name(), nick);
      return known != null ? Future.succeededFuture(known) : Future.failedFuture(down);
    }).map(standing -> {
      if (standing.banned(System.currentTimeMillis())) {
        throw Moderation.banned(record.name(), standing);
      }
      return record;
    });
  }

  /** The room's record (null: no such room) if {@code nick} is on its list or it is public; else forbidden. */
  private Future<RoomRecord> listed(String room, String nick) {
    return store.room(room).compose(record -> {
      if (record == null || !record.kind().restricted()) {
        return Future.succeededFuture(record);
      }
      if (nick == null) {
        return Future.failedFuture(forbidden(room));
      }
      return store.access(room, nick).map(access -> {
        if (access == null) {
          throw forbidden(room); // an invitation lets one read what one may join
        }
        return record;
      });
    });
  }

  /** Like {@link #readable}, for a room that must exist (a request about it). */
  Future<RoomRecord> existing(String room, String nick) {
    return readable(room, nick).map(record -> {
      if (record == null) {
        throw forbidden(room);
      }
      return record;
    });
  }

  /** Whether {@code nick} may join {@code record}: a restricted room's invitation becomes membership. */
  Future<RoomRecord> joinable(RoomRecord record, String nick) {
    if (!record.kind().restricted()) {
      return Future.succeededFuture(record);
    }
    return store.access(record.name(), nick).compose(access -> {
      if (access == null) {
        return Future.failedFuture(forbidden(record.name()));
      }
      if (access != Access.INVITED) {
        return Future.succeededFuture(record);
      }
      // A removal between the read and the grant: the grant would give access back; take it away again.
      return store.grant(record.name(), nick, Access.MEMBER).compose(before -> before != null
          ? Future.succeededFuture(record)
          : store.revoke(record.name(), nick).transform(revoked -> Future.failedFuture(forbidden(record.name()))));
    });
  }

  /**
   * After a join of a restricted room was added to the directory: if the user's access was taken away meanwhile (a
   * remove that raced the join), {@code undo} takes the join back and the join is {@code forbidden}.
   */
  Future<Void> stillJoined(RoomRecord record, String nick, java.util.function.Supplier<Future<Void>> undo) {
    // A ban (or, in a restricted room, a removal) that raced the join: take the join back.
    Future<Void> listed = !record.kind().restricted() ? Future.succeededFuture()
        : store.access(record.name(), nick).compose(access -> access != null ? Future.succeededFuture()
            : Future.failedFuture(forbidden(record.name())));
    return listed.compose(ok -> notBanned(record, nick)).<Void>mapEmpty()
        .recover(refused -> undo.get().transform(undone -> Future.failedFuture(refused)));
  }

  static ProtocolException forbidden(String room) {
    return new ProtocolException(ErrorCode.FORBIDDEN, "room '" + room + "' is private: you are not on its list");
  }
}
