package io.parley.chat;

import io.parley.metrics.ParleyMetrics;

import io.parley.auth.TokenVerifier;
import io.parley.bus.Addresses;
import io.parley.bus.BusErrors;
import io.parley.config.ParleyConfig;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameParser;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat service of a node: validates the requests of this node's transports ({@code /ws} sessions and bridge
 * sockets) with the protocol's rules ({@link FrameParser}), checks them against the connection that made them,
 * stores messages in the {@link MessageLog} (which assigns ids), keeps the {@link Directory} of nicks and
 * members, and publishes every room event (message, presence, typing) on {@link Addresses#FANOUT}, which reaches
 * every node. One instance per node, confined to its event loop.
 *
 * <p>A connection's requests run one after another, so its hello, joins, sends and disconnect take effect
 * in the order it made them, even though the stores answer asynchronously.
 */
public final class ChatVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ChatVerticle.class);
  private static final int PURGE_ATTEMPTS = 5;

  private final ParleyConfig config;
  private final Directory directory;
  private final MessageLog messages;
  private final FrameParser rules;
  private final TokenVerifier tokens; // null: no authentication
  private final ParleyMetrics metrics;
  private final Map<String, Connection> connections = new HashMap<>();
  private volatile boolean draining;
  private EventBus bus;

  public ChatVerticle(ParleyConfig config, Directory directory, MessageLog messages, TokenVerifier tokens,
      ParleyMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.tokens = tokens;
    this.directory = directory;
    this.messages = messages;
    this.rules = new FrameParser(config.maxTextLength(), config.historyPageMax());
  }

  @Override
  public Future<?> start() {
    bus = vertx.eventBus();
    List<MessageConsumer<JsonObject>> consumers = List.of(
        bus.localConsumer(Addresses.HELLO, replying(this::hello)),
        bus.localConsumer(Addresses.JOIN, replying(this::join)),
        bus.localConsumer(Addresses.LEAVE, replying(this::leave)),
        bus.localConsumer(Addresses.SEND, replying(this::send)),
        bus.localConsumer(Addresses.TYPING, replying(this::typing)),
        bus.localConsumer(Addresses.ROOMS, replying(body -> rooms())),
        bus.localConsumer(Addresses.HISTORY, replying(this::history)),
        bus.localConsumer(Addresses.HISTORY_RANGE, replying(this::historyRange)),
        bus.localConsumer(Addresses.LAST_ID, replying(body ->
            messages.lastId(body.getString("room")).map(lastId -> new JsonObject().put("lastId", lastId)))),
        bus.localConsumer(Addresses.DISCONNECT, message -> disconnect(message.body().getString("conn"))),
        bus.localConsumer(Addresses.PURGE_NODE, message -> purgeNode(message.body().getString("node"))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  /**
   * Called when the node starts shutting down, before its clients are closed. From then on a closing
   * connection is only forgotten here: its nicks and memberships stay in the directory until this node has
   * left the cluster, and the surviving nodes purge them and announce the departures (as for a crash). Had
   * this node announced them, a presence frame published just before its event bus closed could be lost.
   * A node that runs alone has nobody left to tell.
   */
  public void drain() {
    draining = true;
  }

  private Future<JsonObject> hello(JsonObject body) {
    ClientFrame.Hello hello = rules.parseFields("hello", body, ClientFrame.Hello.class);
    Connection connection = connections.computeIfAbsent(body.getString("conn"), conn -> new Connection());
    return connection.serially(() -> {
      if (connection.nick != null) {
        throw new ProtocolException(ErrorCode.ALREADY_IDENTIFIED, "this connection is already '" + connection.nick + "'");
      }
      return identify(hello.nick(), hello.token()).compose(nick -> claim(connection, nick))
          .map(claimed -> new JsonObject().put("nick", claimed));
    });
  }

  /**
   * The nick a connection may claim: the one it names, when Parley runs without authentication; otherwise the one
   * its token vouches for (naming another is {@code nick_mismatch}).
   */
  private Future<String> identify(String named, String token) {
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

  /**
   * Joins a room. A connection without a nick may name one to claim first: the bridge has no {@code hello}, its
   * first {@code chat.join} carries the nick.
   */
  private Future<JsonObject> join(JsonObject body) {
    ClientFrame.Join join = rules.parseFields("join", body, ClientFrame.Join.class);
    String nick = FrameParser.optionalNick(body);
    String token = FrameParser.optionalJwt(body);
    boolean mayIdentify = nick != null || token != null;
    Connection connection = mayIdentify ? connections.computeIfAbsent(body.getString("conn"), c -> new Connection()) : known(body);
    String room = join.room();
    return connection.serially(() -> {
      if (!connection.rooms.contains(room) && connection.rooms.size() >= config.maxRoomsPerConnection()) {
        throw new ProtocolException(ErrorCode.TOO_MANY_ROOMS,
            "at most " + config.maxRoomsPerConnection() + " rooms at once; leave one first");
      }
      Future<String> identity = connection.nick == null && mayIdentify
          ? identify(nick, token).compose(vouched -> claim(connection, vouched))
          : Future.succeededFuture(connection.as(nick));
      return identity.compose(me -> directory.join(room, me)).compose(membership -> {
        connection.rooms.add(room);
        if (membership.added()) {
          publish(ServerFrames.presence(room, connection.nick, "join", membership.version()));
        }
        return messages.epoch(room).compose(epoch -> {
          // Ids from another epoch mean nothing now: such a client gets the recent history, not a resume.
          boolean sameEpoch = join.epoch() == null || join.epoch().equals(epoch);
          Long since = sameEpoch ? join.since() : null;
          Future<MessageLog.Slice> history = since == null
              ? messages.before(room, null, config.joinHistory())
              : messages.after(room, since, config.historyPageMax());
          return history.map(slice -> joinedReply(room, membership, slice, epoch, join.since() == null ? null
              : sameEpoch ? Boolean.valueOf(reachesBackTo(join.since(), slice)) : Boolean.FALSE));
        });
      });
    });
  }

  private Future<String> claim(Connection connection, String nick) {
    return directory.claimNick(nick).map(claimed -> {
      if (!claimed) {
        throw new ProtocolException(ErrorCode.NICK_TAKEN, "nick '" + nick + "' is taken");
      }
      connection.nick = nick;
      log.debug("{} is connected", nick);
      return nick;
    });
  }

  /** {@code recovered} is null for a join without {@code since}, and then left out. */
  private static JsonObject joinedReply(String room, Directory.Membership membership, MessageLog.Slice slice,
      String epoch, Boolean recovered) {
    JsonObject reply = new JsonObject()
        .put("room", room)
        .put("members", new JsonArray(membership.members()))
        .put("membersVersion", membership.version())
        .put("history", toJson(slice.messages()))
        .put("lastId", slice.lastId())
        .put("epoch", epoch);
    if (recovered != null) {
      reply.put("recovered", recovered);
    }
    return reply;
  }

  /** True when the slice holds exactly every message after {@code since}: no gap for the client. */
  private static boolean reachesBackTo(long since, MessageLog.Slice slice) {
    if (since > slice.lastId()) {
      return false; // the client saw ids this room never reached: its history was reset
    }
    List<ChatMessage> list = slice.messages();
    return list.isEmpty() ? since == slice.lastId() : list.get(0).id() == since + 1;
  }

  private Future<JsonObject> leave(JsonObject body) {
    String room = rules.parseFields("leave", body, ClientFrame.Leave.class).room();
    return asMember(body, room, (connection, nick) -> {
      connection.rooms.remove(room);
      return departFrom(room, nick).map(v -> new JsonObject().put("room", room));
    });
  }

  /**
   * Stores and publishes a message. A {@code cid} that the same nick sent to the room within
   * {@code SEND_DEDUP_WINDOW_S} is not published again: the reply says {@code duplicate} and gives the id the first
   * send got (none while that one is still being stored).
   */
  private Future<JsonObject> send(JsonObject body) {
    ClientFrame.Send send = rules.parseFields("send", body, ClientFrame.Send.class);
    return asMember(body, send.room(), (connection, nick) -> {
      if (send.cid() == null) {
        return append(send, nick);
      }
      long windowMs = config.sendDedupWindowS() * 1000L;
      return messages.claimCid(send.room(), nick, send.cid(), windowMs).compose(claimed -> {
        if (claimed != MessageLog.Sent.NEW) {
          JsonObject duplicate = new JsonObject().put("duplicate", true);
          return Future.succeededFuture(claimed > 0 ? duplicate.put("id", claimed) : duplicate);
        }
        return append(send, nick).transform(appended -> {
          if (appended.succeeded()) {
            // Stored and published: whatever happens to the record, the reply is the id (a failed record leaves
            // the claim in flight, which blocks a retry, rather than let a retry store it twice).
            return messages.recordCid(send.room(), nick, send.cid(), appended.result().getLong("id"), windowMs)
                .transform(recorded -> {
                  if (recorded.failed()) {
                    log.warn("could not record cid {} of {} in {}: {}", send.cid(), nick, send.room(), recorded.cause().toString());
                  }
                  return Future.succeededFuture(appended.result());
                });
          }
          // Perhaps stored after all (a timeout): settle the claim against the room before failing.
          return messages.settleCid(send.room(), nick, send.cid(), windowMs)
              .transform(settled -> Future.failedFuture(appended.cause()));
        });
      });
    });
  }

  private Future<JsonObject> append(ClientFrame.Send send, String nick) {
    return messages.append(send.room(), nick, send.text(), send.cid(), System.currentTimeMillis()).map(message -> {
      metrics.messageIn();
      publish(message.toJson());
      return new JsonObject().put("id", message.id());
    });
  }

  private Future<JsonObject> typing(JsonObject body) {
    String room = rules.parseFields("typing", body, ClientFrame.Typing.class).room();
    return asMember(body, room, (connection, nick) -> {
      publish(ServerFrames.typing(room, nick));
      return Future.succeededFuture(new JsonObject());
    });
  }

  /**
   * Runs {@code action} in the connection's turn, once it is known to be a member of {@code room} under the
   * nick the request names (if it names one).
   */
  private Future<JsonObject> asMember(JsonObject body, String room, BiFunction<Connection, String, Future<JsonObject>> action) {
    String nick = FrameParser.optionalNick(body);
    Connection connection = known(body);
    return connection.serially(() -> {
      String me = connection.as(nick);
      connection.requireMember(room);
      return action.apply(connection, me);
    });
  }

  private Future<JsonObject> rooms() {
    return directory.rooms().compose(counts -> {
      List<String> names = List.copyOf(counts.keySet());
      return Future.all(names.stream().map(messages::lastId).toList()).map(lastIds -> {
        JsonArray list = new JsonArray();
        for (int i = 0; i < names.size(); i++) {
          list.add(new JsonObject().put("room", names.get(i)).put("members", counts.get(names.get(i)))
              .put("lastId", lastIds.<Long>resultAt(i)));
        }
        return new JsonObject().put("rooms", list);
      });
    });
  }

  /** Pages back: the newest {@code limit} messages below {@code before}, and the room's newest id. */
  private Future<JsonObject> history(JsonObject body) {
    ClientFrame.History page = rules.parseFields("history", body, ClientFrame.History.class);
    return messages.before(page.room(), page.before(), page.limit()).map(slice -> new JsonObject()
        .put("room", page.room()).put("messages", toJson(slice.messages())).put("lastId", slice.lastId()));
  }

  /** The ids from..to of a room, for a node filling a gap in what it received. */
  private Future<JsonObject> historyRange(JsonObject body) {
    String room = Names.requireRoom(body.getString("room"));
    return messages.between(room, body.getLong("from"), body.getLong("to"))
        .map(slice -> new JsonObject().put("room", room).put("messages", toJson(slice.messages())));
  }

  private Future<Void> disconnect(String conn) {
    Connection connection = connections.get(conn);
    if (connection == null) {
      return Future.succeededFuture();
    }
    return connection.serially(() -> {
      connections.remove(conn);
      if (connection.nick == null || draining) {
        return Future.succeededFuture();
      }
      List<Future<Void>> departures = connection.rooms.stream().map(room -> departFrom(room, connection.nick)).toList();
      return Future.join(departures)
          .eventually(() -> directory.releaseNick(connection.nick))
          .onComplete(done -> log.debug("{} is disconnected", connection.nick))
          .mapEmpty();
    });
  }

  /** A dead node's members leave every list, with presence frames (this node was chosen to announce it). */
  private void purgeNode(String nodeId) {
    purgeNode(nodeId, 1);
  }

  // Right after a member dies Hazelcast is re-partitioning, and a scan can fail: try again a few times.
  private void purgeNode(String nodeId, int attempt) {
    directory.purgeNode(nodeId)
        .onSuccess(departed -> settleClaimsOf(nodeId, 1))
        .onSuccess(departed -> {
          departed.forEach((room, departures) -> departures.forEach(departure ->
              publish(ServerFrames.presence(room, departure.nick(), "leave", departure.version()))));
          log.info("node {} left the cluster; {} of its members left their rooms", nodeId,
              departed.values().stream().mapToInt(List::size).sum());
        })
        .onFailure(e -> {
          if (attempt < PURGE_ATTEMPTS) {
            log.warn("removing the members of dead node {} failed (attempt {}), retrying: {}", nodeId, attempt, e.toString());
            vertx.setTimer(1000L * attempt, id -> purgeNode(nodeId, attempt + 1));
          } else {
            log.error("could not remove the members of dead node {}", nodeId, e);
          }
        });
  }

  /** The sends a dead node had in flight; apart from the purge, so that a retry of one does not redo the other. */
  private void settleClaimsOf(String nodeId, int attempt) {
    messages.settleClaimsOf(nodeId, config.sendDedupWindowS() * 1000L)
        .onSuccess(settled -> {
          if (settled > 0) {
            log.info("settled {} sends that node {} had in flight", settled, nodeId);
          }
        })
        .onFailure(e -> {
          if (attempt < PURGE_ATTEMPTS) {
            vertx.setTimer(1000L * attempt, id -> settleClaimsOf(nodeId, attempt + 1));
          } else {
            log.error("could not settle the sends node {} had in flight", nodeId, e);
          }
        });
  }

  private Future<Void> departFrom(String room, String nick) {
    return directory.leave(room, nick).map(version -> {
      if (version > 0) {
        publish(ServerFrames.presence(room, nick, "leave", version));
      }
      return null;
    });
  }

  /** The connection a request comes from; one the service has never seen has not said hello. */
  private Connection known(JsonObject body) {
    Connection connection = connections.get(body.getString("conn"));
    if (connection == null) {
      throw Connection.helloRequired();
    }
    return connection;
  }

  /** Every room event goes to every node, which hands it to that room's local listeners (frames carry the room). */
  private void publish(JsonObject frame) {
    bus.publish(Addresses.FANOUT, frame);
  }

  private static JsonArray toJson(List<ChatMessage> list) {
    JsonArray array = new JsonArray();
    list.forEach(m -> array.add(m.toJson()));
    return array;
  }

  /** Answers a request with what {@code action} completes with, or with the refusal it fails with. */
  private Handler<Message<JsonObject>> replying(Function<JsonObject, Future<JsonObject>> action) {
    return message -> {
      Future<JsonObject> result;
      try {
        if (Boolean.TRUE.equals(message.body().getValue("limited"))) {
          // The bridge marks a request past its socket's rate limit, so that the refusal travels as its reply.
          throw new ProtocolException(ErrorCode.RATE_LIMITED, "at most " + config.rateLimitPerS()
              + " requests per second (bursts of " + config.rateLimitBurst() + "); this one was not handled");
        }
        result = action.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> {
        if (done.succeeded()) {
          message.reply(done.result());
        } else if (done.cause() instanceof ProtocolException e) {
          BusErrors.fail(message, e);
        } else {
          log.error("chat request to {} failed", message.address(), done.cause());
          message.fail(500, "internal error");
        }
      });
    };
  }

  /** A connection of this node, as the chat service knows it. */
  private static final class Connection {
    final Set<String> rooms = new LinkedHashSet<>();
    String nick;
    private final SerialQueue requests = new SerialQueue();

    static ProtocolException helloRequired() {
      return new ProtocolException(ErrorCode.HELLO_REQUIRED, "say hello first (on the bridge: join with a nick)");
    }

    /** This connection's nick, checked against the one a request names (if any). */
    String as(String named) {
      if (nick == null) {
        throw helloRequired();
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

    /** Runs {@code step} after this connection's earlier requests have finished. */
    <T> Future<T> serially(Supplier<Future<T>> step) {
      return requests.run(step);
    }
  }
}
