package io.parley.chat;

import io.parley.auth.AuthProxy;
import io.parley.auth.TokenVerifier;
import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a connection is: the user (nick) it claims with {@code hello} (or, on the bridge, with its first {@code join}).
 * A user may hold many connections, on any nodes. With authentication the token names it (naming another is
 * {@code nick_mismatch}), and every connection with a valid token for it is that user; a guest names it, and is
 * that user again on another connection with the {@code session} its first {@code welcome} gave, else
 * {@code nick_taken} while the user is connected and {@code GUEST_SESSION_TTL_S} after. With an authorization proxy
 * ({@code AUTH_PROXY_URL}) the backend has the last word: it denies the claim ({@code denied}) or allows it with the
 * nick to use, vouched for as a verified token's is.
 */
final class Identity {

  private static final Logger log = LoggerFactory.getLogger(Identity.class);

  private final Directory directory;
  private final TokenVerifier tokens; // null: no authentication
  private final AuthProxy proxy; // null: no authorization proxy

  private final long sessionTtlMs;

  Identity(Directory directory, TokenVerifier tokens, AuthProxy proxy, long sessionTtlMs) {
    this.directory = directory;
    this.tokens = tokens;
    this.proxy = proxy;
    this.sessionTtlMs = sessionTtlMs;
  }

  /** Whether requests must come from an identified connection (authentication, or the backend, decides who). */
  boolean required() {
    return tokens != null || proxy != null;
  }

  /** {@code hello}: claims the nick for a connection that has none yet; answers {@code {nick, session?}}. */
  Future<JsonObject> hello(ChatConnection connection, Caller caller, ClientFrame.Hello hello) {
    if (connection.nick != null && (connection.nick.equals(hello.nick()) || hello.nick() == null)) {
      // A retry of a hello whose answer did not come in time (unavailable), though it was done: the same answer.
      return Future.succeededFuture(welcome(connection));
    }
    if (connection.nick != null) {
      throw new ProtocolException(ErrorCode.ALREADY_IDENTIFIED, "this connection is already '" + connection.nick + "'");
    }
    return claim(connection, caller, hello.nick(), hello.token(), hello.session()).map(nick -> welcome(connection));
  }

  private static JsonObject welcome(ChatConnection connection) {
    return new JsonObject().put("nick", connection.nick).put("session", connection.session);
  }

  /**
   * The nick a request acts as: the connection's, checked against the one the caller names; a connection without
   * one claims it with the caller's credentials (the bridge's first join).
   */
  Future<String> of(ChatConnection connection, Caller caller) {
    if (connection.nick == null && caller.hasCredentials()) {
      return claim(connection, caller, caller.nick(), caller.token(), null);
    }
    return Future.succeededFuture(connection.as(caller.nick()));
  }

  /** Lets go of a departed connection (its user keeps the nick while it has others, and a guest for the TTL). */
  Future<Void> release(ChatConnection connection) {
    return directory.releaseNick(connection.nick, connection.id)
        .onComplete(done -> log.debug("{} is disconnected", connection.nick));
  }

  private Future<String> claim(ChatConnection connection, Caller caller, String named, String token,
      String session) {
    return claimant(named, token).compose(who -> decided(who, token, caller)).compose(who -> directory.claimNick(
        who.nick(), connection.id, session, who.authenticated(), sessionTtlMs).map(claim -> {
      String nick = who.nick();
      if (!claim.granted()) {
        throw new ProtocolException(ErrorCode.NICK_TAKEN, "nick '" + nick + "' is taken"
            + (tokens == null ? " (a connection of the same user says hello with its session)" : ""));
      }
      connection.nick = nick;
      connection.session = claim.session();
      log.debug("{} is connected", nick);
      return nick;
    }));
  }

  /** The claim once the backend (if any) had its word on it. */
  private Future<Claimant> decided(Claimant who, String token, Caller caller) {
    if (proxy == null) {
      return Future.succeededFuture(requireNick(who));
    }
    return proxy.connect(who.nick(), token, caller.transport(), caller.address()).map(verdict -> decided(who, verdict));
  }

  /**
   * Who claims a nick, and whether that is vouched for: only then may it join the user's other connections without
   * their session. A token nobody verified (no {@code JWT_KEY}) vouches for nothing.
   */
  record Claimant(String nick, boolean authenticated) {
  }

  /**
   * The backend's word on a claim: its nick, vouched for, if it allows it; if it did not answer
   * ({@code AUTH_PROXY_FAIL=allow}), the claim as Parley's own rules make it.
   */
  private static Claimant decided(Claimant who, AuthProxy.Verdict verdict) {
    return switch (verdict.decision()) {
      case ALLOWED -> new Claimant(verdict.nick(), true);
      case DENIED -> throw new ProtocolException(ErrorCode.DENIED, verdict.reason());
      case UNANSWERED -> requireNick(who);
    };
  }

  private static Claimant requireNick(Claimant who) {
    if (who.nick() == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "field 'nick' is required");
    }
    return who;
  }

  /**
   * The nick named (null: none), as a guest, without authentication; otherwise the one the token vouches for. The
   * backend, if any, is asked after.
   */
  private Future<Claimant> claimant(String named, String token) {
    if (tokens == null) {
      return Future.succeededFuture(new Claimant(named, false));
    }
    if (token == null) {
      throw new ProtocolException(ErrorCode.AUTH_REQUIRED, "this server needs a token to say who you are");
    }
    return tokens.nickOf(token).map(vouched -> {
      if (named != null && !named.equals(vouched)) {
        throw new ProtocolException(ErrorCode.NICK_MISMATCH, "the token is for '" + vouched + "', not '" + named + "'");
      }
      return new Claimant(vouched, true);
    });
  }
}
