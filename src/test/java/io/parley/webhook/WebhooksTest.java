package io.parley.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks (docs/INTEGRATION.md, "Webhooks") on the embedded storage, to a real HTTP receiver: signed, in the
 * room's order, each event once after dedupe by its idempotency key, retried while the receiver is down or silent,
 * kept across a restart (DATA_DIR/webhooks.db), and never in the way of the chat.
 */
@ExtendWith(VertxExtension.class)
class WebhooksTest {

  static final String SECRET = "a-webhook-secret-of-some-length";

  private Vertx vertx;
  private WebhookReceiver receiver;
  private ParleyNode node;
  private final String dataDir = ParleyServerTest.temporaryDataDir();
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    receiver = WebhookReceiver.start(vertx, SECRET);
    node = deploy();
  }

  private ParleyNode deploy() {
    return ParleyNode.deploy(vertx, ParleyServerTest.testConfig(new JsonObject()
        .put(Settings.DATA_DIR.name(), dataDir)
        .put(Settings.WEBHOOK_URL.name(), receiver.url())
        .put(Settings.WEBHOOK_SECRET.name(), SECRET)
        .put(Settings.WEBHOOK_TIMEOUT_MS.name(), 500)
        .put(Settings.WEBHOOK_RETRY_FIRST_MS.name(), 50)
        .put(Settings.WEBHOOK_RETRY_MAX_MS.name(), 400)
        .put(Settings.RATE_LIMIT_PER_S.name(), 10_000).put(Settings.RATE_LIMIT_BURST.name(), 10_000))).await();
  }

  @AfterEach
  void stop() {
    clients.forEach(TestClient::close);
    node.close().await();
    receiver.close();
  }

  private TestClient user(String nick) {
    TestClient client = TestClient.user(vertx, node.httpPort(), nick);
    clients.add(client);
    return client;
  }

  /** The ids of the kept message events of {@code room}, in the order they were kept. */
  private List<Long> messageIds(String room) {
    return receiver.kept(room).stream().filter(e -> "message".equals(e.getString("type")))
        .map(e -> e.getJsonObject("event").getLong("id")).toList();
  }

  private void awaitMessages(String room, int count) {
    Eventually.await(vertx, () -> messageIds(room).size() >= count,
        "the receiver kept " + count + " messages of " + room + " (kept " + messageIds(room).size() + ")");
  }

  /** {@code count} messages {@code prefix0, prefix1...} said in {@code room}; the first one's id. */
  private static long sayMany(TestClient client, String room, String prefix, int count) {
    long first = client.say(room, prefix + 0).getLong("id");
    for (int i = 1; i < count; i++) {
      client.say(room, prefix + i);
    }
    return first;
  }

  private static List<Long> ascending(long first, int count) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(first + i);
    }
    return ids;
  }

  @Test
  void webhooks_are_signed_and_arrive_in_the_rooms_order() {
    TestClient alice = user("alice");
    alice.join("lobby");
    long first = sayMany(alice, "lobby", "m", 30);
    awaitMessages("lobby", 30);
    assertEquals(ascending(first, 30), messageIds("lobby"));
    List<WebhookReceiver.Delivery> all = receiver.received();
    assertTrue(all.stream().allMatch(WebhookReceiver.Delivery::signed), "every delivery is signed with the secret");
    assertTrue(all.stream().allMatch(d -> Math.abs(d.timestamp() - System.currentTimeMillis() / 1000) < 60),
        "Parley-Timestamp is the time of sending");
    JsonObject join = receiver.kept("lobby").get(0);
    assertEquals("join", join.getString("type"), "alice's join comes before her messages: " + join.encode());
    assertEquals("alice", join.getJsonObject("event").getString("nick"));
    JsonObject message = receiver.kept("lobby").get(1);
    assertEquals("m0", message.getJsonObject("event").getString("text"));
    assertEquals("alice", message.getJsonObject("event").getString("from"));
    assertTrue(message.getString("id").startsWith("evt_"), message.encode());
  }

  @Test
  void a_receiver_that_was_down_gets_everything_in_order_and_retries_keep_their_idempotency_key() {
    receiver.answer(d -> 503);
    TestClient alice = user("alice");
    alice.join("lobby");
    long first = sayMany(alice, "lobby", "m", 10);
    Eventually.await(vertx, () -> receiver.received().size() >= 3, "the receiver was tried while down");
    // It comes back, but leaves the next delivery unanswered (it got it; Parley does not know): sent again.
    AtomicInteger seen = new AtomicInteger();
    receiver.answer(d -> seen.incrementAndGet() == 1 ? 0 : 200);
    awaitMessages("lobby", 10);
    assertEquals(ascending(first, 10), messageIds("lobby"));
    List<WebhookReceiver.Delivery> all = receiver.received();
    long retried = all.stream().map(WebhookReceiver.Delivery::id).distinct().filter(id ->
        all.stream().filter(d -> d.id().equals(id)).count() > 1).count();
    assertTrue(retried >= 1, "some event was delivered more than once, with the same key");
    assertTrue(all.stream().anyMatch(d -> d.attempt() > 1), "Parley-Attempt counts the tries");
    // Nothing of the room was sent out of turn: each delivery is the first kept one not yet answered.
    List<String> keys = receiver.kept("lobby").stream().map(e -> e.getString("id")).toList();
    String last = null;
    for (WebhookReceiver.Delivery d : all) {
      if (!"lobby".equals(d.body().getString("room"))) {
        continue;
      }
      int at = keys.indexOf(d.id());
      assertTrue(last == null || at >= keys.indexOf(last), "delivered in order: " + d.id() + " after " + last);
      last = d.id();
    }
  }

  @Test
  void webhooks_queued_while_the_receiver_is_down_survive_a_restart() {
    receiver.answer(d -> 500);
    TestClient alice = user("alice");
    alice.join("lobby");
    long first = sayMany(alice, "lobby", "before restart ", 8);
    alice.close();
    clients.clear();
    node.close().await();
    receiver.answer(d -> 200);
    node = deploy();
    TestClient bob = user("bob");
    bob.join("lobby");
    bob.say("lobby", "after restart");
    awaitMessages("lobby", 9);
    assertEquals(ascending(first, 9), messageIds("lobby"));
    List<String> types = receiver.kept("lobby").stream().map(e -> e.getString("type")).toList();
    assertEquals(List.of("join", "message", "message", "message", "message", "message", "message", "message",
        "message", "leave", "join", "message"), types);
  }

  @Test
  void a_receiver_that_never_answers_does_not_slow_the_chat() {
    receiver.answer(d -> 0);
    TestClient alice = user("alice");
    TestClient bob = user("bob");
    alice.join("lobby");
    bob.join("lobby");
    alice.expectPast("presence", "presence");
    for (int i = 0; i < 200; i++) {
      alice.say("lobby", "m" + i);
      assertEquals("m" + i, bob.expectPast("message", "presence", "typing").getString("text"));
    }
    // Meanwhile the room's first event was all the receiver got, over and over (one at a time, in order).
    assertTrue(receiver.received().stream().map(WebhookReceiver.Delivery::id).distinct().count() == 1,
        "only the room's head was tried: " + receiver.received().size() + " tries");
    receiver.answer(d -> 200);
    awaitMessages("lobby", 200);
  }

  @Test
  void an_edit_a_deletion_and_a_leave_are_webhooks_too() {
    TestClient alice = user("alice");
    alice.join("lobby");
    long id = alice.say("lobby", "typo").getLong("id");
    alice.send(new JsonObject().put("type", "edit").put("room", "lobby").put("id", id).put("text", "fixed"));
    alice.expectPast("edit", "done");
    alice.send(new JsonObject().put("type", "delete").put("room", "lobby").put("id", id));
    alice.expectPast("delete", "done", "edit");
    alice.send(new JsonObject().put("type", "leave").put("room", "lobby"));
    Eventually.await(vertx, () -> receiver.kept("lobby").size() >= 5, "five events of lobby");
    assertEquals(List.of("join", "message", "edit", "delete", "leave"),
        receiver.kept("lobby").stream().map(e -> e.getString("type")).toList());
    assertEquals("fixed", receiver.kept("lobby").get(2).getJsonObject("event").getString("text"));
  }

  @Test
  void a_message_in_a_private_room_names_its_offline_members_for_push() {
    TestClient alice = user("alice");
    alice.send(new JsonObject().put("type", "join").put("room", "ops").put("visibility", "private"));
    alice.expect("joined");
    alice.send(new JsonObject().put("type", "invite").put("room", "ops").put("nick", "bob"));
    alice.expectPast("invited");
    alice.say("ops", "bob, are you there?");
    Eventually.await(vertx, () -> messageIds("ops").size() == 1, "the private room's message delivered");
    JsonObject message = receiver.kept("ops").stream().filter(e -> "message".equals(e.getString("type")))
        .findFirst().orElseThrow();
    assertEquals(new io.vertx.core.json.JsonArray().add("bob"), message.getJsonArray("offline"), message.encode());
    alice.join("lobby");
    alice.say("lobby", "public");
    Eventually.await(vertx, () -> messageIds("lobby").size() == 1, "the public room's message delivered");
    assertTrue(!receiver.kept("lobby").get(1).containsKey("offline"), "a public room has no member list");
  }
}
