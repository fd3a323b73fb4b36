package io.parley.fanout;

import io.parley.bus.Addresses;
import io.parley.bus.IdRange;
import io.parley.bus.LocalCodec;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ChatMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's end of the room fan-out. Every node consumes {@link Addresses#FANOUT}, one address for all rooms, from
 * start-up on; which rooms have local listeners is this node's own business. (Per-room cluster subscriptions would
 * each be a Hazelcast registration that the other nodes learn of a little after it completes, and an event
 * published in between would skip the node that just subscribed.) Each room with listeners here has a
 * {@link RoomSequencer} that puts its events in order; each ready event is queued once to every event loop that has
 * listeners of the room ({@link LoopDispatcher}), whose one task hands it to them.
 *
 * <p>A verticle, deployed once per node. Its rooms are confined to its context: listeners on any event loop
 * {@link #subscribe} and {@link #unsubscribe} there, and those calls reach the rooms as tasks, in order.
 */
public final class RoomFanout extends VerticleBase {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RoomFanout.class);

  private static final long BASELINE_RETRY_MS = 1000;

  private final long gapFillMs;
  private final long writeDelayMs;
  private final ParleyMetrics metrics;
  private final DeliveryOptions internal = LocalCodec.options();
  private final Map<String, Room> rooms = new HashMap<>(); // confined to this verticle's context
  private final Map<Context, LoopDispatcher> loops = new ConcurrentHashMap<>();
  private volatile int roomCount;

  public RoomFanout(long gapFillMs, long writeDelayMs, ParleyMetrics metrics) {
    this.writeDelayMs = writeDelayMs;
    this.gapFillMs = gapFillMs;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<RoomEvent>consumer(Addresses.FANOUT, this::receive).completion();
  }

  /**
   * Adds a listener of a room, called on the caller's event loop. Completes, on that loop, once the room has a
   * baseline: every message after it reaches the listener, so a join snapshot read after that misses nothing (the
   * listener drops what its snapshot holds, by id).
   */
  public Future<Void> subscribe(String room, RoomListener listener) {
    LoopDispatcher loop = loopOfCaller();
    loop.add(room, listener);
    Promise<Void> ready = Promise.promise();
    context.runOnContext(v -> attach(room, loop).onComplete(done -> loop.context().runOnContext(w -> ready.handle(done))));
    return ready.future();
  }

  /** Removes a listener, called on the loop it subscribed from; the node forgets the room with its last listener. */
  public void unsubscribe(String room, RoomListener listener) {
    LoopDispatcher loop = loopOfCaller();
    if (loop.remove(room, listener)) {
      context.runOnContext(v -> detach(room, loop));
    }
  }

  /** How many rooms this node serves: rooms with local listeners. */
  public int rooms() {
    return roomCount;
  }

  // Listeners are grouped by their verticle's context, not by the duplicate Vert.x makes per HTTP request: one
  // dispatcher and one task per event loop, whatever the number of connections.
  private LoopDispatcher loopOfCaller() {
    Context caller = vertx.getOrCreateContext();
    Context loop = caller instanceof ContextInternal internal ? internal.unwrap() : caller;
    return loops.computeIfAbsent(loop, c -> new LoopDispatcher(c, metrics, writeDelayMs));
  }

  private Future<Void> attach(String room, LoopDispatcher loop) {
    Room served = rooms.computeIfAbsent(room, Room::new);
    roomCount = rooms.size();
    served.listeners.merge(loop, 1, Integer::sum);
    return served.baselined();
  }

  private void detach(String room, LoopDispatcher loop) {
    Room served = rooms.get(room);
    if (served != null && served.listeners.computeIfPresent(loop, (l, n) -> n > 1 ? n - 1 : null) == null
        && served.listeners.isEmpty()) {
      rooms.remove(room);
      roomCount = rooms.size();
      served.close();
    }
  }

  /** Every room event of the cluster arrives here; those of rooms without local listeners are dropped. */
  private void receive(Message<RoomEvent> message) {
    RoomEvent event = message.body();
    Room room = rooms.get(event.room());
    if (room != null) {
      room.dispatch(room.sequencer.offer(event));
    }
  }

  /** A room with local listeners: its sequencer, which loops listen, the baseline read and the gap timer. */
  private final class Room {
    final String name;
    final RoomSequencer sequencer = new RoomSequencer();
    /** Listeners per loop. */
    final Map<LoopDispatcher, Integer> listeners = new HashMap<>();
    private Future<Void> baseline; // the read of the baseline, while under way
    private long gapTimer = -1;
    private boolean closed;

    Room(String name) {
      this.name = name;
    }

    /**
     * The room's newest id, read once, after this room was in the map: every later message reaches it. Messages
     * are held until then. A failed read fails the waiting subscribers and is tried again.
     */
    Future<Void> baselined() {
      if (sequencer.hasBaseline()) {
        return Future.succeededFuture();
      }
      if (baseline == null) {
        baseline = vertx.eventBus().<Long>request(Addresses.LAST_ID, name, internal)
            .map(reply -> {
              baseline = null;
              dispatch(sequencer.baseline(reply.body()));
              return (Void) null;
            })
            .onFailure(failure -> {
              baseline = null;
              // Held messages wait for a baseline: try again, while the room is served.
              vertx.setTimer(BASELINE_RETRY_MS, id -> {
                if (!closed) {
                  baselined();
                }
              });
            });
      }
      return baseline;
    }

    void dispatch(List<RoomEvent> ready) {
      for (RoomEvent event : ready) {
        long acceptedAt = event.isMessage() ? event.frame().getLong("ts", 0L) : 0L;
        if (acceptedAt > 0) {
          metrics.handedOut(acceptedAt);
        }
        listeners.keySet().forEach(loop -> loop.queue(event));
      }
      armGapTimer();
    }

    private void armGapTimer() {
      if (!sequencer.holding()) {
        cancelGapTimer();
      } else if (gapTimer < 0 && !closed) {
        gapTimer = vertx.setTimer(gapFillMs, id -> fillGap());
      }
    }

    /** Reads the missing ids from this node's chat service (the shared history), then moves on. */
    private void fillGap() {
      gapTimer = -1;
      long[] gap = sequencer.gap();
      if (gap == null || closed) {
        armGapTimer();
        return;
      }
      vertx.eventBus().<List<ChatMessage>>request(Addresses.HISTORY_RANGE, new IdRange(name, gap[0], gap[1]), internal)
          .onComplete(reply -> {
            if (closed) {
              return;
            }
            if (reply.failed()) {
              // The store could not be read (down, or this node cut off from it): the missing messages exist, so
              // the room waits and asks again; skipping them would lose them for good for every client here.
              log.debug("gap {}..{} of room {} not read, trying again: {}", gap[0], gap[1], name, reply.cause().toString());
              armGapTimer();
              return;
            }
            // What history does not hold is gone (older than the room keeps): skip it.
            dispatch(sequencer.filled(gap[0], gap[1],
                reply.result().body().stream().map(m -> RoomEvent.of(m.toJson())).toList()));
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
  }
}
