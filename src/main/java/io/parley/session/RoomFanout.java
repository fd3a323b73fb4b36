package io.parley.session;

import io.parley.bus.Addresses;
import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's end of the room fan-out. Every node consumes {@link Addresses#FANOUT}, one address for all rooms,
 * from start-up on; which rooms have local listeners is this node's own business. (Per-room cluster subscriptions
 * would each be a Hazelcast registration that the other nodes learn of a little after it completes, and an event
 * published in between would skip the node that just subscribed.) Each event is decoded and encoded once per node,
 * then queued for each event loop that has listeners of the room. One task per loop hands out everything queued by
 * the time it runs, then flushes each listener that wrote once: when the node keeps up, that is one event and one
 * flush per socket; under load, several events leave a socket in one write.
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
  private static final long BASELINE_RETRY_MS = 1000;
  /** Events a loop's task hands out before it flushes and lets the loop's other work run. */
  private static final int EVENTS_PER_TASK = 32;

  private final long gapFillMs;
  private final Map<String, Subscription> subscriptions = new HashMap<>(); // guarded by this
  private final Map<Context, LoopQueue> loops = new ConcurrentHashMap<>();
  private volatile ParleyMetrics metrics = ParleyMetrics.disabled();

  public RoomFanout(long gapFillMs) {
    this.gapFillMs = gapFillMs;
  }

  /** Where hand-outs are counted (set before deployment). */
  public void metrics(ParleyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.FANOUT, this::receive).completion();
  }

  /**
   * Adds a listener, called on the caller's context, to a room. Completes, on the caller's context, once the room
   * has a baseline: every message after it reaches the listener, so a join snapshot taken after that misses
   * nothing (the listener drops what its snapshot holds, by id).
   */
  public Future<Void> subscribe(String room, RoomListener listener) {
    Context caller = vertx.getOrCreateContext();
    // Listeners are grouped by their verticle's context, not by the duplicate Vert.x makes per HTTP request: one
    // queue and one task per event loop, whatever the number of connections.
    Context loop = caller instanceof ContextInternal internal ? internal.unwrap() : caller;
    Subscription subscription;
    synchronized (this) {
      subscription = subscriptions.computeIfAbsent(room, Subscription::new);
      subscription.listeners.computeIfAbsent(loop, c -> ConcurrentHashMap.newKeySet()).add(listener);
    }
    return subscription.baselined(caller);
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
   * (counted: one relay per bridge registration). Completes, on the caller's context, once the room has a
   * baseline, so that a consumer registered after that, before its client joins, misses nothing after the join.
   */
  public Future<Void> relay(String room) {
    Subscription subscription;
    synchronized (this) {
      subscription = subscriptions.computeIfAbsent(room, Subscription::new);
      subscription.relays.incrementAndGet();
    }
    return subscription.baselined(vertx.getOrCreateContext());
  }

  /** Ends one {@link #relay(String)}. */
  public synchronized void unrelay(String room) {
    Subscription subscription = subscriptions.get(room);
    if (subscription != null && subscription.relays.get() > 0) {
      subscription.relays.decrementAndGet();
      closeIfUnused(subscription);
    }
  }

  /** How many rooms this node serves: rooms with local listeners or relays. */
  public synchronized int rooms() {
    return subscriptions.size();
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
    private long next; // the next message id to hand out; 0 until the baseline is known
    private Future<Void> baseline; // the read of the baseline, while under way
    private final TreeMap<Long, RoomEvent> early = new TreeMap<>();
    private long gapTimer = -1;
    private boolean closed;

    Subscription(String room) {
      this.room = room;
    }

    /** Completes on {@code caller} once this subscription has its baseline (at once if it has one). */
    Future<Void> baselined(Context caller) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> readBaseline().onComplete(result -> caller.runOnContext(w -> done.handle(result))));
      return done.future();
    }

    /**
     * The room's newest id, read once, after this subscription was in the map: every later message reaches it.
     * Messages are held until then. A failed read fails the waiting subscribers and is tried again.
     */
    private Future<Void> readBaseline() {
      if (next > 0) {
        return Future.succeededFuture();
      }
      if (baseline == null) {
        baseline = vertx.eventBus().<JsonObject>request(Addresses.LAST_ID, new JsonObject().put("room", room))
            .map(reply -> {
              baseline = null;
              if (next == 0) {
                next = reply.body().getLong("lastId") + 1;
                drain();
              }
              return (Void) null;
            })
            .onFailure(failure -> {
              baseline = null;
              // Held messages wait for a baseline: try again, while the room is served.
              vertx.setTimer(BASELINE_RETRY_MS, id -> {
                if (!closed && next == 0) {
                  readBaseline();
                }
              });
            });
      }
      return baseline;
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
      long acceptedAt = event.isMessage() ? event.frame().getLong("ts", 0L) : 0L;
      if (acceptedAt > 0) {
        metrics.handedOut(acceptedAt);
      }
      int relayed = relays.get();
      if (relayed > 0) {
        vertx.eventBus().publish(Addresses.room(room), event.frame(), LOCAL_ONLY);
        metrics.delivered(relayed); // one per bridge registration of the room
      }
      listeners.forEach((listenerContext, set) ->
          loops.computeIfAbsent(listenerContext, c -> new LoopQueue(c, metrics)).add(event, set));
    }
  }

  private record Delivery(RoomEvent event, Set<RoomListener> listeners) {
  }

  /** The events waiting for one event loop's listeners, and the one task that hands them out. */
  private static final class LoopQueue {
    private final Context context;
    private final ParleyMetrics metrics;
    private final Queue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<RoomListener> unflushed = new ArrayList<>(); // touched on the loop only

    LoopQueue(Context context, ParleyMetrics metrics) {
      this.context = context;
      this.metrics = metrics;
    }

    void add(RoomEvent event, Set<RoomListener> listeners) {
      queue.add(new Delivery(event, listeners));
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> handOut());
      }
    }

    private void handOut() {
      scheduled.set(false); // before polling: what is added from now on schedules another task
      Delivery delivery;
      int handed = 0;
      int deliveries = 0;
      while (handed++ < EVENTS_PER_TASK && (delivery = queue.poll()) != null) {
        RoomEvent event = delivery.event();
        for (RoomListener listener : delivery.listeners()) {
          deliveries++;
          if (listener.onRoomEvent(event)) {
            unflushed.add(listener);
          }
        }
      }
      metrics.delivered(deliveries);
      for (RoomListener listener : unflushed) {
        listener.flush();
      }
      unflushed.clear();
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> handOut());
      }
    }
  }
}
