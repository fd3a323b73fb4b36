package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.fanout.RoomEvent;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import io.parley.webhook.WebhookEvent;
import io.parley.webhook.WebhookQueue;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.IntSupplier;

/**
 * Publishes room events, each once, cluster-wide, on {@link Addresses#FANOUT}: every node hands them to its
 * connections that follow the room (frames carry the room). With webhooks on, each (typing and counts aside) is also
 * queued for the backend, here, where it is made once, in the room's order.
 *
 * <p>Big rooms (more than {@code BIG_ROOM_SIZE} members, counting the one who joined or left): a join or leave is
 * not announced by a {@code presence} frame to every member (100,000 joins would make 10^10 frames), but by a
 * {@code count}, from each node at most once per {@link #countInterval} ({@link CountThrottle}). Webhooks still get
 * every presence.
 */
final class RoomEvents {

  private final Vertx vertx;
  private final WebhookQueue webhooks; // null: no webhooks
  private final int bigRoomSize;
  private final long countIntervalMs;
  private final IntSupplier clusterSize;
  private final CountThrottle counts = new CountThrottle();

  RoomEvents(Vertx vertx, WebhookQueue webhooks, int bigRoomSize, long countIntervalMs, IntSupplier clusterSize) {
    this.vertx = vertx;
    this.webhooks = webhooks;
    this.bigRoomSize = bigRoomSize;
    this.countIntervalMs = countIntervalMs;
    this.clusterSize = clusterSize;
  }

  void message(ChatMessage message) {
    publish(message.toJson());
    if (webhooks != null) {
      webhooks.offer(WebhookEvent.of(message));
    }
  }

  /**
   * A user joined or left ({@code event}); {@code version}: the room's membership version that this change made,
   * {@code count} its members afterwards.
   */
  void presence(String room, String nick, String event, long version, int count) {
    JsonObject frame = ServerFrames.presence(room, nick, event, version, count);
    if (webhooks != null) {
      webhooks.offer(WebhookEvent.presence(room, event, frame));
    }
    int largest = "leave".equals(event) ? count + 1 : count;
    if (largest <= bigRoomSize) {
      publish(frame);
      counts.presence(room, version);
      return;
    }
    act(room, counts.changed(room, new CountThrottle.Count(count, version), System.currentTimeMillis(),
        countInterval(count)));
  }

  void typing(String room, String nick) {
    publish(ServerFrames.typing(room, nick));
  }

  private void act(String room, CountThrottle.Decision decision) {
    if (decision.publish() != null) {
      publish(ServerFrames.count(room, decision.publish().count(), decision.publish().version()));
    }
    if (decision.checkInMs() > 0) {
      vertx.setTimer(decision.checkInMs(),
          id -> act(room, counts.due(room, System.currentTimeMillis(), this::countInterval)));
    }
  }

  /**
   * Each node's least time between two counts of a room of {@code count} members: {@code BIG_ROOM_COUNT_INTERVAL_MS}
   * times the cluster's nodes (so that the cluster's counts together come once per interval) times the square root of
   * the room's size over {@code BIG_ROOM_SIZE}. A count is delivered to every member, so a room's counts cost its
   * size in deliveries each time: at one a second, a room of 100,000 filling up spent more on counts than on its
   * joins (scenario e). With the root, a room of 1,000 hears once a second, one of 100,000 every 10 s, and the
   * counts cost sqrt(size x BIG_ROOM_SIZE) deliveries per interval (10,000 a second for 100,000).
   */
  long countInterval(int count) {
    return countInterval(countIntervalMs, clusterSize.getAsInt(), count, bigRoomSize);
  }

  static long countInterval(long intervalMs, int nodes, int count, int bigRoomSize) {
    return Math.round(intervalMs * Math.max(1, nodes) * Math.max(1.0, Math.sqrt((double) count / bigRoomSize)));
  }

  private void publish(JsonObject frame) {
    vertx.eventBus().publish(Addresses.FANOUT, RoomEvent.of(frame)); // its own codec: RoomEventCodec
  }
}
