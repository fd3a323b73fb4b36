package io.parley.chat;

import io.parley.auth.TokenVerifier;
import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a connection is: the nick it claims with {@code hello} (or, on the bridge, with its first {@code join}),
 * unique among live connections cluster-wide. Without authentication a guest names it; with {@code JWT_KEY} the
 * token names it, and naming another is {@code nick_mismatch}.
 */
final class Identity {

  private static final Logger log = LoggerFactory.getLogger(Identity.class);

  private final Directory directory;
  private final TokenVerifier tokens; // null: no authentication

  Identity(Directory directory, TokenVerifier tokens) {
    this.directory = directory;
    this.tokens = tokens;
  }

  /** {@code hello}: claims the nick for a connection that has none yet. */
  Future<String> hello(ChatConnection connection, ClientFrame.Hello hello) {
    if (connection.nick != null && connection.nick.equals(hello.nick())) {
      // A retry of a hello whose answer did not come in time (unavailable), though it was done: the same answer.
      return Future.succeededFuture(connection.nick);
    }
    if (connection.nick != null) {
      throw new ProtocolException(ErrorCode.ALREADY_IDENTIFIED, "this connection is already '" + connection.nick + "'");
    }
    return claim(connection, hello.nick(), hello.token());
  }

  /**
   * The nick a request acts as: the connection's, checked against the one the caller names; a connection without
   * one claims it with the caller's credentials (the bridge's first join).
   */
  Future<String> of(ChatConnection connection, Caller caller) {
    if (connection.nick == null && caller.hasCredentials()) {
      return claim(connection, caller.nick(), caller.token());
    }
    return Future.succeededFuture(connection.as(caller.nick()));
  }

  /** Releases a departed connection's nick. */
  Future<Void> release(ChatConnection connection) {
    return directory.releaseNick(connection.nick).onComplete(done -> log.debug("{} is disconnected", connection.nick));
  }

  private Future<String> claim(ChatConnection connection, String named, String token) {
    return vouchedNick(named, token).compose(nick -> directory.claimNick(nick).map(claimed -> {
      if (!claimed) {
        throw new ProtocolException(ErrorCode.NICK_TAKEN, "nick '" + nick + "' is taken");
      }
      connection.nick = nick;
      log.debug("{} is connected", nick);
      return nick;
    }));
  }

  /** The nick named, without authentication; otherwise the one the token vouches for. */
  private Future<String> vouchedNick(String named, String token) {
    if (tokens == null) {
      if (named == null) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "field 'nick' is required");
      }
      return Future.succeededFuture(named);
    }
    if (token == null) {
      throw new ProtocolException(ErrorCode.AUTH_REQUIRED, "this server needs a token to say who you are");
    }
    return tokens.nickOf(token).map(vouched -> {
      if (named != null && !named.equals(vouched)) {
        throw new ProtocolException(ErrorCode.NICK_MISMATCH, "the token is for '" + vouched + "', not '" + named + "'");
      }
      return vouched;
    });
  }
}
