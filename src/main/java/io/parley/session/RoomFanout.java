package io.parley.session;

import io.parley.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's subscriptions to room addresses: one event-bus consumer per room that has local listeners,
 * however many sockets and event loops they span. Each event is decoded and encoded once per node, then
 * handed to each event loop in one task that writes it to that loop's listeners.
 *
 * <p>Shared by every HTTP verticle instance of a node, so it is thread-safe: subscribe and unsubscribe
 * take a short lock; delivery reads concurrent sets without one.
 */
public final class RoomFanout {

  private final Vertx vertx;
  private final Map<String, Subscription> subscriptions = new HashMap<>(); // guarded by this

  public RoomFanout(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Adds a listener, on the caller's context, to a room. The future completes once the node's
   * subscription is registered, so no event published after that is missed.
   */
  public synchronized Future<Void> subscribe(String room, RoomListener listener) {
    Context context = vertx.getOrCreateContext();
    Subscription subscription = subscriptions.computeIfAbsent(room, this::register);
    subscription.listeners.computeIfAbsent(context, c -> ConcurrentHashMap.newKeySet()).add(listener);
    return subscription.consumer.completion();
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
      subscription.consumer.unregister();
    }
  }

  /** Rooms this node is subscribed to (for tests and metrics). */
  public synchronized Set<String> rooms() {
    return Set.copyOf(subscriptions.keySet());
  }

  private Subscription register(String room) {
    Subscription subscription = new Subscription();
    subscription.consumer = vertx.eventBus().consumer(Addresses.room(room), subscription::dispatch);
    return subscription;
  }

  private static final class Subscription {
    final Map<Context, Set<RoomListener>> listeners = new ConcurrentHashMap<>();
    MessageConsumer<JsonObject> consumer;

    void dispatch(Message<JsonObject> message) {
      RoomEvent event = RoomEvent.of(message.body());
      listeners.forEach((context, set) -> {
        if (Vertx.currentContext() == context) {
          set.forEach(listener -> listener.onRoomEvent(event));
        } else {
          context.runOnContext(v -> set.forEach(listener -> listener.onRoomEvent(event)));
        }
      });
    }
  }
}
