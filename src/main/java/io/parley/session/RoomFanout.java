package io.parley.session;

import io.parley.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's subscriptions to room addresses: one event-bus consumer per room that has local listeners,
 * however many sockets and event loops they span. Each event is decoded and encoded once per node, then
 * handed to each event loop in one task that writes it to that loop's listeners.
 *
 * <p>Messages are handed out in id order, each once. In a cluster, messages appended on different nodes can
 * arrive out of order, or not at all if their node died between storing and publishing: an early message
 * waits for the ones before it, and after {@code GAP_FILL_MS} the missing ids are read from history.
 *
 * <p>Shared by every HTTP verticle instance of a node. Subscribe and unsubscribe take a short lock; each
 * subscription's ordering state is confined to the context that registered its consumer.
 */
public final class RoomFanout {

  private final Vertx vertx;
  private final long gapFillMs;
  private final Map<String, Subscription> subscriptions = new HashMap<>(); // guarded by this

  public RoomFanout(Vertx vertx, long gapFillMs) {
    this.vertx = vertx;
    this.gapFillMs = gapFillMs;
  }

  /**
   * Adds a listener, on the caller's context, to a room. The future completes once the node's
   * subscription is registered, so no event published after that is missed.
   */
  public synchronized Future<Void> subscribe(String room, RoomListener listener) {
    Context context = vertx.getOrCreateContext();
    Subscription subscription = subscriptions.computeIfAbsent(room, r -> new Subscription(r, context));
    subscription.listeners.computeIfAbsent(context, c -> ConcurrentHashMap.newKeySet()).add(listener);
    return subscription.consumer.completion();
  }

  /**
   * Tells the node the room's newest id as a join snapshot saw it (after subscribing). Until the first such
   * baseline, messages are held; then the ones it covers are dropped and the rest handed out in order.
   */
  public synchronized void baseline(String room, long lastId) {
    Subscription subscription = subscriptions.get(room);
    if (subscription != null) {
      subscription.context.runOnContext(v -> subscription.baseline(lastId));
    }
  }

  /** Removes a listener; the node unsubscribes from the room with its last listener. */
  public synchronized void unsubscribe(String room, RoomListener listener) {
    Subscription subscription = subscriptions.get(room);
    if (subscription == null) {
      return;
    }
    subscription.listeners.values().removeIf(set -> set.remove(listener) && set.isEmpty());
    if (subscription.listeners.isEmpty()) {
      subscriptions.remove(room);
      subscription.close();
    }
  }

  private final class Subscription {
    final String room;
    final Context context;
    final Map<Context, Set<RoomListener>> listeners = new ConcurrentHashMap<>();
    final MessageConsumer<JsonObject> consumer;
    // Ordering state: touched only on `context`.
    private long next; // the next message id to hand out; 0 until a baseline is known
    private final TreeMap<Long, RoomEvent> early = new TreeMap<>();
    private long gapTimer = -1;
    private boolean closed;

    Subscription(String room, Context context) {
      this.room = room;
      this.context = context;
      this.consumer = vertx.eventBus().consumer(Addresses.room(room), this::receive);
    }

    void receive(Message<JsonObject> message) {
      RoomEvent event = RoomEvent.of(message.body());
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
      vertx.eventBus().<JsonObject>request(Addresses.HISTORY, request)
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
      context.runOnContext(v -> {
        closed = true;
        cancelGapTimer();
      });
      consumer.unregister();
    }

    private void dispatch(RoomEvent event) {
      listeners.forEach((listenerContext, set) -> {
        if (Vertx.currentContext() == listenerContext) {
          set.forEach(listener -> listener.onRoomEvent(event));
        } else {
          listenerContext.runOnContext(v -> set.forEach(listener -> listener.onRoomEvent(event)));
        }
      });
    }
  }
}
