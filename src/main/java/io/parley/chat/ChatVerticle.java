package io.parley.chat;

import io.parley.auth.AuthProxy;
import io.parley.auth.TokenVerifier;
import io.parley.bus.Addresses;
import io.parley.bus.BackendRequest;
import io.parley.bus.BusErrors;
import io.parley.bus.ChatRequest;
import io.parley.bus.IdRange;
import io.parley.bus.LocalCodec;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Directory;
import io.parley.store.MessageLog;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat service of a node, on the event bus: answers the requests of {@link Addresses} with its parts, each a
 * concept of its own: {@link Identity} (nicks, tokens), {@link Membership} (rooms, presence), {@link Messages}
 * (sending, history) and {@link NodeDeaths}, on the store it opens at start. Requests come from the connection core
 * of this node, whatever the transport, already checked against the protocol's rules; the service checks them
 * against the connection that made them. One instance per node, confined to its event loop.
 */
public final class ChatVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ChatVerticle.class);
  /** The server API's operations that change nothing, answered without a quorum too (like a user's reads). */
  private static final java.util.Set<String> READS = java.util.Set.of("rooms", "room", "history", "offline");
  private static final long PRUNE_EVERY_MS = TimeUnit.MINUTES.toMillis(10);

  private final ParleyConfig config;
  private io.parley.webhook.WebhookQueue webhooks; // null: none
  private final Directory directory;
  private final Function<Vertx, Future<MessageLog>> storage;
  private final TokenVerifier tokens;
  private final ParleyMetrics metrics;
  private final ChatConnections connections = new ChatConnections();
  private final DeliveryOptions replies = LocalCodec.options();
  private volatile MessageLog store;
  private Identity identity;
  private Membership membership;
  private Messages messages;
  private Moderation moderation;
  private AuthProxy proxy;
  private NodeDeaths deaths;
  private volatile boolean draining;
  private volatile java.util.function.BooleanSupplier quorate = () -> true;
  private volatile java.util.function.IntSupplier clusterSize = () -> 1;
  private long pruning = -1;

  /** With webhooks on: where room events are queued for the backend (before the verticle starts). */
  public void webhooks(io.parley.webhook.WebhookQueue queue) {
    webhooks = queue;
  }

  /** In a cluster: whether this node sees a quorum ({@code cluster.ClusterHealth}); without one it refuses changes. */
  public void quorate(java.util.function.BooleanSupplier quorum) {
    quorate = quorum;
  }

  /** In a cluster: how many nodes it has now (each throttles a big room's counts by it; before the start). */
  public void clusterSize(java.util.function.IntSupplier nodes) {
    clusterSize = nodes;
  }

  /** {@code storage} opens the store, on this verticle's context; {@code tokens}: null without authentication. */
  public ChatVerticle(ParleyConfig config, Directory directory, Function<Vertx, Future<MessageLog>> storage,
      TokenVerifier tokens, ParleyMetrics metrics) {
    this.config = config;
    this.directory = directory;
    this.storage = storage;
    this.tokens = tokens;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return storage.apply(vertx).compose(opened -> {
      store = opened;
      // The JWKS (if any) is fetched once before the first hello; its fetch never fails the start.
      Future<Void> keys = tokens == null ? Future.succeededFuture() : tokens.start();
      // A verticle whose start fails is not stopped: let go of the database (its file lock, its pool) here.
      return keys.compose(fetched -> listen(opened))
          .recover(failure -> stop().transform(stopped -> Future.failedFuture(failure)));
    });
  }

  private Future<?> listen(MessageLog store) {
    EventBus bus = vertx.eventBus();
    RoomEvents events = new RoomEvents(vertx, webhooks, config.get(Settings.BIG_ROOM_SIZE),
        config.get(Settings.BIG_ROOM_COUNT_INTERVAL_MS), clusterSize);
    UserEvents users = new UserEvents(bus);
    Standings standings = new Standings(store, bus, config.get(Settings.CACHE_ROOMS_MAX));
    RoomPermissions access = new RoomPermissions(store, standings);
    proxy = AuthProxy.create(vertx, config);
    identity = new Identity(directory, tokens, proxy,
        TimeUnit.SECONDS.toMillis(config.get(Settings.GUEST_SESSION_TTL_S)));
    messages = new Messages(vertx, store, events, standings, metrics, config.get(Settings.REQUEST_TIMEOUT_MS),
        config.get(Settings.JOIN_HISTORY), config.get(Settings.HISTORY_PAGE_MAX));
    ReadMarkers markers = new ReadMarkers(store, access, users);
    // Moderation needs the membership, whose admission sets roles through it: bound once both exist.
    Admission admission = new Admission(proxy, store, access, standings,
        (record, nick, role) -> moderation.systemRole(record, nick, role));
    membership = new Membership(directory, store, identity, messages, events, access, admission, users, markers,
        standings, config);
    PrivateRooms privateRooms = new PrivateRooms(store, access, membership, users);
    moderation = new Moderation(store, access, membership, events, users, standings, config);
    deaths = new NodeDeaths(vertx, directory, store, membership);
    Backend backend = new Backend(store, directory, messages, membership, privateRooms, moderation, standings, users,
        config.get(Settings.MAX_ROOMS));
    startPruning(store);
    List<MessageConsumer<?>> consumers = List.of(
        bus.<ChatRequest>localConsumer(Addresses.HELLO, replying(withQuorum(request -> connections.open(request.caller())
            .serially(c -> identity.hello(c, request.caller(), (ClientFrame.Hello) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.JOIN, replying(withQuorum(request -> connections.forJoin(request.caller())
            .serially(c -> membership.join(c, request.caller(), (ClientFrame.Join) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.LEAVE, replying(request -> connections.known(request.caller())
            .serially(c -> membership.leave(c, request.caller(), (ClientFrame.Leave) request.frame())))),
        bus.<ChatRequest>localConsumer(Addresses.SEND, replying(withQuorum(request -> connections.known(request.caller())
            .serially(c -> messages.send(c, request.caller(), (ClientFrame.Send) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.TYPING, replying(request -> connections.known(request.caller())
            .serially(c -> membership.typing(c, request.caller(), (ClientFrame.Typing) request.frame())))),
        bus.<ChatRequest>localConsumer(Addresses.ROOMS, replying(request -> reader(request)
            .compose(nick -> membership.rooms(nick, (ClientFrame.Rooms) request.frame())))),
        bus.<ChatRequest>localConsumer(Addresses.HISTORY, replying(request -> reader(request).compose(nick -> {
          ClientFrame.History page = (ClientFrame.History) request.frame();
          return access.readable(page.room(), nick).compose(record -> messages.history(page));
        }))),
        bus.<ChatRequest>localConsumer(Addresses.MEMBERS, replying(request -> reader(request).compose(nick -> {
          ClientFrame.Members page = (ClientFrame.Members) request.frame();
          return access.readable(page.room(), nick).compose(record -> membership.members(page));
        }))),
        bus.<ChatRequest>localConsumer(Addresses.FOLLOW, replying(request -> reader(request).compose(nick ->
            access.readable(((ClientFrame.Follow) request.frame()).room(), nick).map(record -> new JsonObject())))),
        bus.<ChatRequest>localConsumer(Addresses.INVITE, replying(withQuorum(request -> connections.known(request.caller())
            .serially(c -> privateRooms.invite(c, request.caller(), (ClientFrame.Invite) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.REMOVE, replying(withQuorum(request -> connections.known(request.caller())
            .serially(c -> privateRooms.remove(c, request.caller(), (ClientFrame.Remove) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.READ, replying(withQuorum(request -> connections.known(request.caller())
            .serially(c -> markers.read(c, request.caller(), (ClientFrame.Read) request.frame()))))),
        bus.<ChatRequest>localConsumer(Addresses.ROLE, replying(withQuorum(memberChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.KICK, replying(withQuorum(memberChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.BAN, replying(withQuorum(memberChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.UNBAN, replying(withQuorum(memberChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.MUTE, replying(withQuorum(memberChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.EDIT, replying(withQuorum(messageChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.DELETE, replying(withQuorum(messageChange(moderation)))),
        bus.<ChatRequest>localConsumer(Addresses.REACT, replying(withQuorum(messageChange(moderation)))),
        bus.<BackendRequest>localConsumer(Addresses.SERVER_API, replying(request -> READS.contains(request.op())
            ? backend.handle(request) : withQuorum(backend::handle).apply(request))),
        bus.<JsonObject>consumer(Addresses.STANDINGS, message -> standings.changed(message.body())),
        bus.<JsonObject>consumer(Addresses.USERS, message -> {
          JsonObject frame = message.body().getJsonObject("frame");
          if ("removed".equals(frame.getString("type"))) {
            membership.removed(connections.of(message.body().getString("nick")), frame.getString("room"));
          }
        }),
        bus.<IdRange>localConsumer(Addresses.HISTORY_RANGE, replying(messages::range)),
        bus.<String>localConsumer(Addresses.LAST_ID, replying(messages::lastId)),
        bus.<String>localConsumer(Addresses.DISCONNECT, message -> disconnect(message.body())),
        bus.<String>localConsumer(Addresses.PURGE_NODE, message -> {
          // On the minority side of a split, "dead" nodes are alive on the other side: purging them here would,
          // once the sides merge, remove their live nicks and members. The majority purges; the merge does the rest.
          if (quorate.getAsBoolean()) {
            deaths.purge(message.body());
          } else {
            log.info("not purging node {}: this node is without a quorum of its cluster", message.body());
          }
        }));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pruning);
    Future<Void> keys = tokens == null ? Future.succeededFuture() : tokens.close();
    Future<Void> backend = proxy == null ? Future.succeededFuture() : proxy.close();
    return Future.join(keys, backend).transform(closed -> store == null ? Future.succeededFuture() : store.close());
  }

  /** How many rooms the node holds in memory for its store (its cache; all of them with memory storage). */
  public int roomsInMemory() {
    MessageLog opened = store;
    return opened instanceof io.parley.store.CachedMessageLog cached ? cached.cachedRooms() : -1;
  }

  /** Whether the store can reach its database ({@code /ready} says {@code STORAGE_DOWN} otherwise). */
  public boolean storageAvailable() {
    MessageLog opened = store;
    return opened == null || opened.available();
  }

  /**
   * Called when the node starts shutting down, before its clients are closed. From then on a closing connection is
   * only forgotten here: its nicks and memberships stay in the directory until this node has left the cluster, and
   * the surviving nodes purge them and announce the departures (as for a crash). Had this node announced them, a
   * presence frame published just before its event bus closed could be lost. A node that runs alone has nobody
   * left to tell.
   */
  public void drain() {
    draining = true;
  }

  /** Retention ({@code HISTORY_RETENTION_DAYS}, {@code HISTORY_MAX_PER_ROOM}), in the background, if any is set. */
  private void startPruning(MessageLog store) {
    int days = config.get(Settings.HISTORY_RETENTION_DAYS);
    int perRoom = config.get(Settings.HISTORY_MAX_PER_ROOM);
    if (days == 0 && perRoom == 0) {
      return;
    }
    Handler<Long> prune = id -> store.prune(days, perRoom)
        .onSuccess(deleted -> log.info("retention: {} messages deleted", deleted))
        .onFailure(e -> log.warn("retention could not run: {}", e.toString()));
    vertx.setTimer(1000, prune);
    pruning = vertx.setPeriodic(PRUNE_EVERY_MS, prune);
  }

  /**
   * Who reads (the nick of the caller's connection, null if it has none): with authentication on, nothing is read
   * before the connection is identified.
   */
  private Future<String> reader(ChatRequest request) {
    ChatConnection connection = connections.find(request.caller());
    String nick = connection == null ? null : connection.nick;
    if (nick == null && identity.required()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.HELLO_REQUIRED,
          "this server reads nothing to a connection that has not said who it is (hello, with a token)"));
    }
    return Future.succeededFuture(nick);
  }

  private void disconnect(String id) {
    ChatConnection connection = connections.remove(id);
    if (connection != null) {
      connection.farewell(c -> draining ? Future.succeededFuture() : membership.disconnect(c));
    }
  }

  /** Answers a request with what {@code action} completes with, or with the refusal it fails with. */
  /**
   * {@code action}, only while this node sees a quorum of its cluster: on the minority side of a split, what would
   * change nicks, members or messages is refused with {@code unavailable} (docs/CLUSTER.md, "Partitions").
   */
  /** A member change (role, kick, ban, unban, mute), after the connection's earlier requests. */
  private Function<ChatRequest, Future<?>> memberChange(Moderation moderation) {
    return request -> connections.known(request.caller())
        .serially(c -> moderation.member(c, request.caller(), (ClientFrame.Moderate) request.frame()));
  }

  /** A message change (edit, delete, react), after the connection's earlier requests. */
  private Function<ChatRequest, Future<?>> messageChange(Moderation moderation) {
    return request -> connections.known(request.caller())
        .serially(c -> moderation.message(c, request.caller(), (ClientFrame.ChangeMessage) request.frame()));
  }

  private <T> Function<T, Future<?>> withQuorum(Function<T, Future<?>> action) {
    return request -> quorate.getAsBoolean() ? action.apply(request)
        : Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
            "this node is cut off from most of its cluster; try again, or another node"));
  }

  private <T> Handler<Message<T>> replying(Function<T, Future<?>> action) {
    return message -> {
      Future<?> result;
      try {
        result = action.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> {
        if (done.succeeded()) {
          message.reply(done.result(), replies);
        } else if (done.cause() instanceof ProtocolException e) {
          BusErrors.fail(message, e);
        } else {
          log.error("chat request to {} failed", message.address(), done.cause());
          message.fail(500, "internal error");
        }
      });
    };
  }
}
