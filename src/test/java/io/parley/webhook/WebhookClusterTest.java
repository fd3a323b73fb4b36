package io.parley.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks of a cluster on PostgreSQL (the shared {@code webhook_outbox}): a room whose members write from two
 * nodes reaches the receiver in its order, and what one node queued while the receiver was down is delivered by
 * another after the first has gone.
 */
@ExtendWith(VertxExtension.class)
class WebhookClusterTest {

  private static JsonObject webhooks(WebhookReceiver receiver) {
    return new JsonObject()
        .put(Settings.WEBHOOK_URL.name(), receiver.url())
        .put(Settings.WEBHOOK_SECRET.name(), WebhooksTest.SECRET)
        .put(Settings.WEBHOOK_TIMEOUT_MS.name(), 500)
        .put(Settings.WEBHOOK_RETRY_FIRST_MS.name(), 50)
        .put(Settings.WEBHOOK_RETRY_MAX_MS.name(), 300);
  }

  private static List<Long> messageIds(WebhookReceiver receiver, String room) {
    return receiver.kept(room).stream().filter(e -> "message".equals(e.getString("type")))
        .map(e -> e.getJsonObject("event").getLong("id")).toList();
  }

  @Test
  void a_room_written_from_two_nodes_reaches_the_receiver_in_its_order(Vertx vertx) {
    try (WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhooksTest.SECRET);
        TestCluster cluster = TestCluster.start(2, webhooks(receiver))) {
      TestClient alice = cluster.user(0, "alice");
      TestClient bob = cluster.user(1, "bob");
      alice.join("hall");
      bob.join("hall");
      alice.expectPast("presence"); // bob's join
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        TestClient writer = i % 2 == 0 ? alice : bob;
        writer.send(new JsonObject().put("type", "send").put("room", "hall").put("text", "m" + i));
        // The writer's own message, past the other's earlier ones.
        JsonObject mine;
        do {
          mine = writer.expectPast("message", "presence", "typing");
        } while (!("m" + i).equals(mine.getString("text")));
        ids.add(mine.getLong("id"));
      }
      java.util.Collections.sort(ids);
      Eventually.await(vertx, () -> messageIds(receiver, "hall").size() >= 20,
          "20 messages of hall kept (" + messageIds(receiver, "hall").size() + ")");
      assertEquals(ids, messageIds(receiver, "hall"));
      assertTrue(receiver.received().stream().allMatch(WebhookReceiver.Delivery::signed));
      assertTrue(receiver.kept("hall").stream().allMatch(e -> e.getString("node") != null),
          "each delivery says which node sent it");
    }
  }

  @Test
  void what_a_node_queued_is_delivered_by_another_once_it_has_gone(Vertx vertx) {
    try (WebhookReceiver receiver = WebhookReceiver.start(vertx, WebhooksTest.SECRET);
        TestCluster cluster = TestCluster.start(2, webhooks(receiver))) {
      receiver.answer(d -> 503);
      TestClient alice = cluster.user(0, "alice");
      alice.join("hall");
      long first = alice.say("hall", "m0").getLong("id");
      for (int i = 1; i < 10; i++) {
        alice.say("hall", "m" + i);
      }
      alice.close();
      cluster.member(0).shutdown();
      receiver.answer(d -> 200);
      Eventually.await(vertx, () -> messageIds(receiver, "hall").size() >= 10, "the 10 messages kept");
      List<Long> expected = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        expected.add(first + i);
      }
      assertEquals(expected, messageIds(receiver, "hall"));
    }
  }
}
