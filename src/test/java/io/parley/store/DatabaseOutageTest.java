package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.Postgres;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL stopped for a few seconds while a client sends: sends are answered {@code unavailable} in time and not
 * acknowledged, {@code /ready} says {@code STORAGE_DOWN}, joins are served from the node's cache, and once the
 * database is back the node recovers by itself. The client retries what was refused with its cid: in the end every
 * acknowledged message is stored exactly once, ids without a hole.
 */
class DatabaseOutageTest extends ParleyServerTest {

  private static final long REQUEST_TIMEOUT_MS = 2000;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.DATABASE_URL.name(), Postgres.server().freshDatabase())
        .put(Settings.REQUEST_TIMEOUT_MS.name(), REQUEST_TIMEOUT_MS)
        .put(Settings.RATE_LIMIT_PER_S.name(), 10_000).put(Settings.RATE_LIMIT_BURST.name(), 10_000);
  }

  private String ready() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.httpPort() + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + new JsonObject(response.body()).getString("status");
  }

  private JsonObject send(String cid) {
    return new JsonObject().put("type", "send").put("room", "outage").put("text", "t-" + cid).put("cid", cid)
        .put("ref", cid);
  }

  /** The next message of the client's own, past the others' messages and presence. */
  private static JsonObject own(TestClient client) {
    JsonObject frame = client.expectPast("message", "presence");
    while (!client.nick().equals(frame.getString("from"))) {
      frame = client.expectPast("message", "presence");
    }
    return frame;
  }

  /**
   * The client's retries with the same cids, each sent again while it is answered {@code unavailable} (a node just
   * back, on a busy machine, may still answer one so), until each is stored; records the ids they got.
   */
  private void retryUntilStored(TestClient client, Set<String> cids, Map<String, Long> acked) {
    Set<String> pending = new HashSet<>(cids);
    pending.forEach(cid -> client.send(send(cid)));
    while (!pending.isEmpty()) {
      JsonObject frame = client.expectPast("message", "presence", "error");
      if ("error".equals(frame.getString("type"))) {
        assertEquals("unavailable", frame.getString("code"), frame.encode());
        client.send(send(frame.getString("ref")));
      } else if (client.nick().equals(frame.getString("from")) && pending.remove(frame.getString("cid"))) {
        acked.put(frame.getString("cid"), frame.getLong("id"));
      }
    }
  }

  @Test
  void postgresql_down_refuses_sends_then_the_node_recovers_and_nothing_is_lost_or_doubled() throws Exception {
    TestClient alice = user("alice");
    alice.join("outage");
    Map<String, Long> acked = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      alice.send(send("before" + i));
      acked.put("before" + i, alice.expect("message").getLong("id"));
    }
    assertEquals("200 READY", ready());

    // Under load: carol pipelines 300 sends, and PostgreSQL stops while they are being stored.
    TestClient carol = user("carol");
    carol.join("outage");
    alice.expect("presence");
    for (int i = 0; i < 300; i++) {
      carol.send(send("load" + i));
    }
    Postgres.server().stop();
    long stopped = System.nanoTime();
    alice.send(send("during"));
    JsonObject refused = alice.expectPast("error", "message");
    assertEquals("unavailable", refused.getString("code"));
    long answeredMs = (System.nanoTime() - stopped) / 1_000_000;
    assertEquals("during", refused.getString("ref"));
    assertTrue(answeredMs < REQUEST_TIMEOUT_MS + 500, "answered within REQUEST_TIMEOUT_MS: " + answeredMs + " ms");
    assertEquals("503 STORAGE_DOWN", ready());
    alice.send(send("during2"));
    assertEquals("during2", alice.expectPast("error", "message").getString("ref"), "refused at once while down");
    // A join while it is down is answered from the node's cache.
    TestClient bob = user("bob");
    JsonObject joined = bob.join("outage");
    long cachedLast = joined.getLong("lastId");
    JsonArray history = joined.getJsonArray("history");
    assertTrue(cachedLast >= 20, "everything stored before the stop: " + cachedLast);
    assertEquals(Math.min(50, cachedLast), history.size(), "the newest JOIN_HISTORY messages");
    assertEquals(cachedLast, history.getJsonObject(history.size() - 1).getLong("id"));
    vertx.timer(2000).await(); // the outage lasts a few seconds: what is under test is the node living through it

    // Each of carol's sends was acknowledged (its message came back) or refused (unavailable): none is left unsaid.
    Set<String> carolRefused = new HashSet<>();
    int carolAnswered = 0;
    while (carolAnswered < 300) {
      JsonObject frame = carol.next();
      if ("message".equals(frame.getString("type")) && "carol".equals(frame.getString("from"))) {
        acked.put(frame.getString("cid"), frame.getLong("id"));
        carolAnswered++;
      } else if ("error".equals(frame.getString("type"))) {
        assertEquals("unavailable", frame.getString("code"), frame.encode());
        carolRefused.add(frame.getString("ref"));
        carolAnswered++;
      }
    }
    Postgres.server().start();
    Set<String> refusedCids = new HashSet<>(Set.of("during", "during2"));
    Eventually.await(vertx, () -> {
      try {
        return ready().equals("200 READY");
      } catch (Exception e) {
        return false;
      }
    }, "/ready is 200 again once PostgreSQL is back, without a restart");
    retryUntilStored(alice, refusedCids, acked);
    retryUntilStored(carol, carolRefused, acked);
    alice.send(send("during")); // once more: stored once, whatever the retries
    alice.send(send("after"));
    JsonObject after = own(alice);
    assertEquals("after", after.getString("cid"), "the repeat of 'during' was not stored again");
    acked.put("after", after.getLong("id"));

    JsonArray all = alice.historyFromTheStart("outage", after.getLong("id"));
    assertEquals(after.getLong("id"), (long) all.size(), "no hole");
    Set<String> cids = new HashSet<>();
    all.forEach(m -> assertTrue(cids.add(((JsonObject) m).getString("cid")), "stored once: " + m));
    assertEquals(acked.keySet(), cids, "every acknowledged message, and nothing else");
    LoggerFactory.getLogger(DatabaseOutageTest.class).info("outage: a send refused {} ms after the stop; of 300 sends "
        + "under load {} were refused and retried; {} messages kept, each once", answeredMs, carolRefused.size(), all.size());
  }
}
