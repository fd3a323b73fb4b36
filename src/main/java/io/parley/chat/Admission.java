package io.parley.chat;

import io.parley.auth.AuthProxy;
import io.parley.auth.AuthProxy.Verdict;
import io.parley.chat.RoomRoles.Role;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.MessageLog;
import io.parley.store.MessageLog.Access;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.vertx.core.Future;

/**
 * Who may join a room: the room's own rules ({@link RoomPermissions}) or, with an authorization proxy
 * ({@code AUTH_PROXY_URL}), the backend's answer. A denial is final, whatever the room's rules (a room the join would
 * create is not created). An allowed user joins a private room it is not on the list of (its access recorded as an
 * invitation's) and holds the role the answer names, set by the system as a role event. A ban still holds (a
 * moderator's act, which the backend lifts through the server API), and a direct conversation stays its two users'.
 */
final class Admission {

  /** Sets a user's role in a room as the system does: the room's role event, {@code by} the system. */
  interface SystemRoles {
    Future<?> set(RoomRecord record, String nick, String role);
  }

  private final AuthProxy proxy; // null: the rooms' own rules only
  private final MessageLog store;
  private final RoomPermissions access;
  private final Standings standings;
  private final SystemRoles roles;

  Admission(AuthProxy proxy, MessageLog store, RoomPermissions access, Standings standings, SystemRoles roles) {
    this.proxy = proxy;
    this.store = store;
    this.access = access;
    this.standings = standings;
    this.roles = roles;
  }

  /** Before anything is done for a join: the backend's verdict (null without a proxy); a denial fails it. */
  Future<Verdict> ask(String nick, String room) {
    if (proxy == null) {
      return Future.succeededFuture(null);
    }
    return proxy.join(nick, room).map(verdict -> {
      if (verdict.decision() == AuthProxy.Decision.DENIED) {
        throw new ProtocolException(ErrorCode.DENIED, verdict.reason());
      }
      return verdict;
    });
  }

  /** {@code record} if {@code nick} may join it, with the role the {@code verdict} (null: none) gives it there. */
  Future<RoomRecord> joinable(RoomRecord record, String nick, Verdict verdict) {
    if (verdict == null || verdict.decision() != AuthProxy.Decision.ALLOWED) {
      return access.joinable(record, nick); // no proxy, or it did not answer and AUTH_PROXY_FAIL=allow
    }
    Future<Void> listed = record.kind() != RoomKind.PRIVATE ? Future.succeededFuture()
        : store.access(record.name(), nick).compose(had -> had != null ? Future.succeededFuture()
            : store.grant(record.name(), nick, Access.INVITED).mapEmpty());
    return listed.compose(done -> access.joinable(record, nick)).compose(joinable -> role(joinable, nick, verdict.role()));
  }

  /** Gives {@code nick} the {@code role} (null: leaves it) unless it holds it; a room's creator stays its owner. */
  private Future<RoomRecord> role(RoomRecord record, String nick, String role) {
    if (role == null || nick.equals(record.owner())) {
      return Future.succeededFuture(record);
    }
    return standings.fresh(record.name()).compose(all -> {
      Role now = RoomRoles.of(record, nick, all.get(nick));
      return now.code().equals(role) ? Future.succeededFuture(record) : roles.set(record, nick, role).map(record);
    });
  }
}
