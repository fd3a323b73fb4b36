package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ClusterEnvironment;
import io.parley.support.NodeProcess;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is forgotten: nodes as separate JVMs, killed with SIGKILL in the middle of a chat and started
 * again, on the embedded default (one node, its {@code DATA_DIR}) and on PostgreSQL (a whole cluster of three).
 * Afterwards every acknowledged message is there with its id, sender, text and cid, ids go on from the last, a
 * client resumes with {@code recovered: true} in the same epoch, and a retry of what was not acknowledged is stored
 * at most once.
 */
@ExtendWith(VertxExtension.class)
class DurabilityProcessTest {

  private static final String ROOM = "durable";
  private static final int MESSAGES = 300;

  @TempDir
  Path workDir;

  private Vertx vertx;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void vertx(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() {
    clients.forEach(client -> {
      try {
        client.close();
      } catch (RuntimeException | AssertionError gone) {
        // its node was killed
      }
    });
    nodes.forEach(NodeProcess::close);
  }

  /** What a sender saw before its node died: the acknowledged messages by cid, and the room's epoch. */
  private record Sent(String nick, Map<String, JsonObject> acked, Set<String> unacked) {
  }

  @Test
  void a_killed_node_keeps_every_acknowledged_message_on_the_embedded_default() {
    Map<String, String> env = Map.of("HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "DATA_DIR", "data",
        "RATE_LIMIT_PER_S", "100000", "RATE_LIMIT_BURST", "100000");
    NodeProcess node = start(env);
    int port = node.awaitUp();
    Sent sent = sendThenKill(List.of(node), List.of(port), "alice");
    NodeProcess again = start(env); // the same working directory: the same DATA_DIR
    checkAfterRestart(again.awaitUp(), List.of(sent));
  }

  @Test
  void a_killed_cluster_keeps_every_acknowledged_message_on_postgresql() {
    List<Map<String, String>> envs = ClusterEnvironment.of(3, 4, false,
        Map.of("RATE_LIMIT_PER_S", "100000", "RATE_LIMIT_BURST", "100000"));
    List<Integer> ports = new ArrayList<>();
    for (Map<String, String> env : envs) {
      nodes.add(NodeProcess.start(workDir, env));
    }
    nodes.forEach(n -> ports.add(n.awaitUp()));
    List<Sent> sent = new ArrayList<>();
    List<TestClient> senders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestClient sender = track(TestClient.user(vertx, ports.get(i), "s" + i));
      sender.join(ROOM);
      senders.add(sender);
    }
    sent.addAll(sendThenKillAll(senders, List.copyOf(nodes)));
    List<NodeProcess> restarted = new ArrayList<>();
    for (Map<String, String> env : envs) {
      restarted.add(start(env));
    }
    List<Integer> newPorts = new ArrayList<>();
    restarted.forEach(n -> newPorts.add(n.awaitUp(120)));
    checkAfterRestart(newPorts.get(1), sent);
  }

  private NodeProcess start(Map<String, String> env) {
    NodeProcess node = NodeProcess.start(workDir, env);
    nodes.add(node);
    return node;
  }

  private TestClient track(TestClient client) {
    clients.add(client);
    return client;
  }

  private Sent sendThenKill(List<NodeProcess> victims, List<Integer> ports, String nick) {
    TestClient sender = track(TestClient.user(vertx, ports.get(0), nick));
    sender.join(ROOM);
    return sendThenKillAll(List.of(sender), victims).get(0);
  }

  /**
   * Each sender pipelines {@link #MESSAGES} messages with cids; once a third of them are acknowledged, every node is
   * killed. Then each sender's frames so far tell what was acknowledged (its message came back) and what was not.
   */
  private List<Sent> sendThenKillAll(List<TestClient> senders, List<NodeProcess> victims) {
    for (int s = 0; s < senders.size(); s++) {
      for (int i = 0; i < MESSAGES; i++) {
        senders.get(s).send(new JsonObject().put("type", "send").put("room", ROOM).put("text", "m" + s + "-" + i)
            .put("cid", "c" + s + "-" + i));
      }
    }
    List<Map<String, JsonObject>> acked = new ArrayList<>();
    senders.forEach(sender -> acked.add(new HashMap<>()));
    // Read until the first sender has a third acknowledged, then kill: the rest is in flight.
    while (acked.get(0).size() < MESSAGES / 3) {
      JsonObject frame = senders.get(0).next();
      if ("message".equals(frame.getString("type")) && senders.get(0).nick().equals(frame.getString("from"))) {
        acked.get(0).put(frame.getString("cid"), frame);
      }
    }
    victims.forEach(NodeProcess::kill);
    victims.forEach(node -> node.awaitExit(10));
    List<Sent> sent = new ArrayList<>();
    for (int s = 0; s < senders.size(); s++) {
      TestClient sender = senders.get(s);
      sender.awaitClose();
      for (JsonObject frame : sender.drain()) {
        if ("message".equals(frame.getString("type")) && sender.nick().equals(frame.getString("from"))) {
          acked.get(s).put(frame.getString("cid"), frame);
        }
      }
      Set<String> unacked = new HashSet<>();
      for (int i = 0; i < MESSAGES; i++) {
        if (!acked.get(s).containsKey("c" + s + "-" + i)) {
          unacked.add("c" + s + "-" + i);
        }
      }
      sent.add(new Sent(sender.nick(), acked.get(s), unacked));
    }
    return sent;
  }

  private void checkAfterRestart(int port, List<Sent> sent) {
    TestClient reader = track(TestClient.user(vertx, port, "reader"));
    JsonObject joined = reader.join(ROOM);
    String epoch = joined.getString("epoch");
    long lastId = joined.getLong("lastId");
    JsonArray all = reader.historyFromTheStart(ROOM, lastId);
    assertEquals(lastId, all.size(), "every id from 1 to " + lastId + " is kept, with no hole");
    Map<String, JsonObject> byCid = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      JsonObject message = all.getJsonObject(i);
      assertEquals(i + 1L, message.getLong("id"));
      assertEquals(null, byCid.put(message.getString("from") + "/" + message.getString("cid"), message),
          "each cid stored once");
    }
    int acked = 0;
    for (Sent sender : sent) {
      for (Map.Entry<String, JsonObject> ack : sender.acked().entrySet()) {
        acked++;
        JsonObject stored = byCid.get(sender.nick() + "/" + ack.getKey());
        assertTrue(stored != null, "acknowledged " + ack.getKey() + " of " + sender.nick() + " is kept");
        for (String field : List.of("id", "from", "text", "cid", "ts")) {
          assertEquals(ack.getValue().getValue(field), stored.getValue(field), field + " of " + ack.getKey());
        }
      }
    }
    assertTrue(acked >= MESSAGES / 3, "the nodes acknowledged messages before they died: " + acked);
    org.slf4j.LoggerFactory.getLogger(DurabilityProcessTest.class).info("after SIGKILL and restart: {} acknowledged, "
        + "{} stored (ids 1..{}), all acknowledged kept", acked, all.size(), lastId);

    // A sender back: resumes where it was, recovered; its retries of what was not acknowledged go in at most once.
    Sent first = sent.get(0);
    long seen = first.acked().values().stream().mapToLong(m -> m.getLong("id")).max().orElse(0);
    TestClient back = track(TestClient.user(vertx, port, first.nick()));
    back.send(new JsonObject().put("type", "join").put("room", ROOM).put("since", seen).put("epoch", epoch));
    JsonObject resumed = back.expect("joined");
    assertEquals(epoch, resumed.getString("epoch"), "the epoch outlived the restart");
    assertEquals(Boolean.TRUE, resumed.getBoolean("recovered"), "a resume across the restart is recovered");
    for (String cid : first.unacked()) {
      back.send(new JsonObject().put("type", "send").put("room", ROOM).put("text", "retry").put("cid", cid));
    }
    back.send(new JsonObject().put("type", "send").put("room", ROOM).put("text", "after").put("cid", "after"));
    JsonObject after = back.next();
    while (!"after".equals(after.getString("cid"))) {
      after = back.next(); // the retries' echoes (those that were not stored before), presence
    }
    JsonArray everything = reader.historyFromTheStart(ROOM, after.getLong("id"));
    Set<String> cids = new HashSet<>();
    everything.forEach(m -> assertTrue(cids.add(((JsonObject) m).getString("from") + "/" + ((JsonObject) m).getString("cid")),
        "stored once: " + m));
    assertEquals(after.getLong("id"), (long) everything.size(), "ids went on from the last, with no hole");
  }
}
