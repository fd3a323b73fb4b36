package io.parley.session;

import io.parley.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's end of the room fan-out. Every node consumes {@link Addresses#FANOUT}, one address for all rooms,
 * from start-up on; which rooms have local listeners is this node's own business. (Per-room cluster subscriptions
 * would each be a Hazelcast registration that the other nodes learn of a little after it completes, and an event
 * published in between would skip the node that just subscribed.) Each event is decoded and encoded once per node,
 * then handed to each event loop in one task that writes it to that loop's listeners.
 *
 * <p>Messages are handed out in id order, each once. In a cluster, messages appended on different nodes can
 * arrive out of order, or not at all if their node died between storing and publishing: an early message waits
 * for the ones before it, and after {@code GAP_FILL_MS} the missing ids are read from history.
 *
 * <p>Bridge clients register the room's address themselves: while a room has {@link #relay relays}, each event is
 * also published, once, in the same order, to the node-local consumers of {@link Addresses#room(String)}.
 *
 * <p>A verticle, deployed once per node; its ordering state is confined to its context. Listeners subscribe and
 * unsubscribe from any event loop under a short lock.
 */
public final class RoomFanout extends VerticleBase {

  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private final long gapFillMs;
  private final Map<String, Subscription> subscriptions = new HashMap<>(); // guarded by this

  public RoomFanout(long gapFillMs) {
    this.gapFillMs = gapFillMs;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.FANOUT, this::receive).completion();
  }

  /**
   * Adds a listener, called on the caller's context, to a room. Every event this node receives from then on
   * reaches it, so a join snapshot taken after this call misses nothing.
   */
  public synchronized void subscribe(String room, RoomListener listener) {
    Context caller = vertx.getOrCreateContext();
    subscriptions.computeIfAbsent(room, Subscription::new)
        .listeners.computeIfAbsent(caller, c -> ConcurrentHashMap.newKeySet()).add(listener);
  }

  /**
   * Tells the node the room's newest id as a join snapshot saw it (after subscribing). Until the first such
   * baseline, messages are held; then the ones it covers are dropped and the rest handed out in order.
   */
  public void baseline(String room, long lastId) {
    context.runOnContext(v -> {
      Subscription subscription = subscription(room);
      if (subscription != null) {
        subscription.baseline(lastId);
      }
    });
  }

  /** Removes a listener; the node forgets the room with its last listener and relay. */
  public synchronized void unsubscribe(String room, RoomListener listener) {
    Subscription subscription = subscriptions.get(room);
    if (subscription != null) {
      subscription.listeners.values().removeIf(set -> set.remove(listener) && set.isEmpty());
      closeIfUnused(subscription);
    }
  }

  /**
   * Starts relaying a room's events to node-local consumers of its {@link Addresses#room(String) room address}
   * (counted: one relay per bridge registration). Completes once a baseline is on its way, so that a consumer
   * registered after that, before its client joins, misses nothing after the join.
   */
  public Future<Void> relay(String room) {
    synchronized (this) {
      subscriptions.computeIfAbsent(room, Subscription::new).relays.incrementAndGet();
    }
    // The newest id read after subscribing is a valid baseline: every later id reaches this node.
    return vertx.eventBus().<JsonObject>request(Addresses.HISTORY, new JsonObject().put("room", room).put("limit", 1))
        .onSuccess(reply -> baseline(room, reply.body().getLong("lastId")))
        .mapEmpty();
  }

  /** Ends one {@link #relay(String)}. */
  public synchronized void unrelay(String room) {
    Subscription subscription = subscriptions.get(room);
    if (subscription != null && subscription.relays.get() > 0) {
      subscription.relays.decrementAndGet();
      closeIfUnused(subscription);
    }
  }

  private synchronized Subscription subscription(String room) {
    return subscriptions.get(room);
  }

  private void closeIfUnused(Subscription subscription) {
    if (subscription.listeners.isEmpty() && subscription.relays.get() == 0) {
      subscriptions.remove(subscription.room);
      context.runOnContext(v -> subscription.close());
    }
  }

  /** Every room event of the cluster arrives here; those of rooms without local listeners are dropped. */
  private void receive(Message<JsonObject> message) {
    JsonObject frame = message.body();
    Subscription subscription = subscription(frame.getString("room"));
    if (subscription != null) {
      subscription.receive(RoomEvent.of(frame));
    }
  }

  /** A room with local listeners. Its ordering state is touched only on this verticle's context. */
  private final class Subscription {
    final String room;
    final Map<Context, Set<RoomListener>> listeners = new ConcurrentHashMap<>();
    final AtomicInteger relays = new AtomicInteger();
    private long next; // the next message id to hand out; 0 until a baseline is known
    private final TreeMap<Long, RoomEvent> early = new TreeMap<>();
    private long gapTimer = -1;
    private boolean closed;

    Subscription(String room) {
      this.room = room;
    }

    void receive(RoomEvent event) {
      if (!event.isMessage()) {
        dispatch(event); // presence and typing carry no id: hand them out as they come
      } else if (next == 0 || event.id() >= next) {
        early.put(event.id(), event);
        drain();
      }
      // else: an id already handed out (a duplicate): drop it
    }

    void baseline(long lastId) {
      if (next == 0) {
        next = lastId + 1;
        drain();
      }
    }

    /** Hands out every held message that is next in line; arms the gap timer if some are still held. */
    private void drain() {
      if (next == 0) {
        return;
      }
      while (!early.isEmpty() && early.firstKey() <= next) {
        Map.Entry<Long, RoomEvent> first = early.pollFirstEntry();
        if (first.getKey() == next) {
          dispatch(first.getValue());
          next++;
        }
      }
      if (early.isEmpty()) {
        cancelGapTimer();
      } else if (gapTimer < 0 && !closed) {
        gapTimer = vertx.setTimer(gapFillMs, id -> fillGap());
      }
    }

    /** Reads the missing ids from this node's chat service (the shared history), then moves on. */
    private void fillGap() {
      gapTimer = -1;
      if (early.isEmpty() || closed) {
        return;
      }
      long missingUpTo = early.firstKey() - 1;
      JsonObject request = new JsonObject().put("room", room).put("from", next).put("to", missingUpTo);
      vertx.eventBus().<JsonObject>request(Addresses.HISTORY_RANGE, request)
          .onComplete(reply -> {
            if (reply.succeeded()) {
              JsonArray messages = reply.result().body().getJsonArray("messages");
              messages.forEach(m -> {
                RoomEvent event = RoomEvent.of((JsonObject) m);
                if (event.id() >= next && event.id() <= missingUpTo) {
                  early.putIfAbsent(event.id(), event);
                }
              });
            }
            // What history could not supply is gone (older than the room keeps, or the read failed):
            // skip it rather than hold the room back.
            if (!early.isEmpty() && !early.containsKey(next)) {
              next = early.firstKey();
            }
            drain();
          });
    }

    private void cancelGapTimer() {
      if (gapTimer >= 0) {
        vertx.cancelTimer(gapTimer);
        gapTimer = -1;
      }
    }

    void close() {
      closed = true;
      cancelGapTimer();
    }

    private void dispatch(RoomEvent event) {
      if (relays.get() > 0) {
        vertx.eventBus().publish(Addresses.room(room), event.frame(), LOCAL_ONLY);
      }
      listeners.forEach((listenerContext, set) ->
          listenerContext.runOnContext(v -> set.forEach(listener -> listener.onRoomEvent(event))));
    }
  }
}
