package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.common.SerialQueue;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The connections of this node as the chat service knows them: which nick each holds and which rooms it is in.
 * Each connection's requests run one after another ({@link ChatConnection#serially}), so its hello, joins, sends
 * and disconnect take effect in the order it made them, although the stores answer asynchronously. Confined to the
 * chat verticle's event loop.
 */
final class ChatConnections {

  private final Map<String, ChatConnection> byId = new HashMap<>();

  /** The caller's connection, known from now on (a hello, or a bridge join that brings credentials). */
  ChatConnection open(Caller caller) {
    return byId.computeIfAbsent(caller.connection(), ChatConnection::new);
  }

  /** The caller's connection; one the service has never seen has not said hello ({@code hello_required}). */
  ChatConnection known(Caller caller) {
    ChatConnection connection = byId.get(caller.connection());
    if (connection == null) {
      throw ProtocolException.helloRequired();
    }
    return connection;
  }

  /** The connection for a join: opened if the join may claim a nick, else one that said hello. */
  ChatConnection forJoin(Caller caller) {
    return caller.hasCredentials() ? open(caller) : known(caller);
  }

  /** The caller's connection, or null when the service has never seen it (a bridge socket that said nothing yet). */
  ChatConnection find(Caller caller) {
    return byId.get(caller.connection());
  }

  /** This node's connections of {@code nick}. */
  java.util.List<ChatConnection> of(String nick) {
    return byId.values().stream().filter(c -> nick.equals(c.nick)).toList();
  }

  /** Forgets a connection at once (null if it was never known): a request that comes after cannot find it. */
  ChatConnection remove(String id) {
    return byId.remove(id);
  }

  /** A connection of this node, as the chat service knows it. */
  static final class ChatConnection {
    final String id;
    final Set<String> rooms = new LinkedHashSet<>();
    String nick;
    /** The guest session of its user (null with a token). */
    String session;
    /** Went away: requests still queued behind its farewell are refused, and change nothing. */
    private boolean gone;
    private final SerialQueue requests = new SerialQueue();

    private ChatConnection(String id) {
      this.id = id;
    }

    /** This connection's nick, checked against the one a request names (if any). */
    String as(String named) {
      if (nick == null) {
        throw ProtocolException.helloRequired();
      }
      if (named != null && !named.equals(nick)) {
        throw new ProtocolException(ErrorCode.NICK_MISMATCH, "this connection is '" + nick + "', not '" + named + "'");
      }
      return nick;
    }

    void requireMember(String room) {
      if (!rooms.contains(room)) {
        throw new ProtocolException(ErrorCode.NOT_JOINED, "join room '" + room + "' first");
      }
    }

    /** Runs {@code step} after this connection's earlier requests have finished, unless it went away meanwhile. */
    <T> Future<T> serially(Function<ChatConnection, Future<T>> step) {
      return requests.run(() -> {
        if (gone) {
          throw ProtocolException.helloRequired();
        }
        return step.apply(this);
      });
    }

    /** Its last step, after the requests it made before it went away; later ones are refused. */
    Future<Void> farewell(Function<ChatConnection, Future<Void>> step) {
      gone = true;
      return requests.run(() -> step.apply(this));
    }
  }
}
