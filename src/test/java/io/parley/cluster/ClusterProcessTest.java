package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ClusterEnvironment;
import io.parley.support.NodeProcess;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three nodes as separate JVMs, started with the environment the README and docker-compose give them. One
 * is killed with SIGKILL, or stopped with SIGTERM, while clients of the others keep chatting.
 */
@ExtendWith(VertxExtension.class)
class ClusterProcessTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterProcessTest.class);
  private static final int FAILURE_TIMEOUT_S = 4;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();
  private Vertx vertx;

  @TempDir
  Path workDir;

  @BeforeEach
  void startThreeNodes(Vertx vertx) {
    this.vertx = vertx;
    for (Map<String, String> env : ClusterEnvironment.of(3, FAILURE_TIMEOUT_S, false, Map.of())) {
      nodes.add(NodeProcess.start(workDir, env));
    }
    nodes.forEach(node -> httpPorts.add(node.awaitUp()));
  }

  @AfterEach
  void stopNodes() {
    clients.forEach(client -> {
      try {
        client.close();
      } catch (RuntimeException | AssertionError ignored) {
        // its node is gone
      }
    });
    nodes.forEach(NodeProcess::close);
  }

  private TestClient user(int node, String nick) {
    TestClient client = TestClient.user(vertx, httpPorts.get(node), nick);
    clients.add(client);
    return client;
  }

  @Test
  void a_killed_node_loses_no_acknowledged_message_and_its_members_leave_within_the_bound() {
    TestClient alice = user(1, "alice");
    TestClient carol = user(2, "carol");
    TestClient bob = user(0, "bob");
    alice.join("general");
    carol.join("general");
    bob.join("general");
    alice.expect("presence");
    alice.expect("presence");
    carol.expect("presence");
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, bob.say("general", "acked " + i).getLong("id")); // delivered back to its sender
      alice.expect("message");
      carol.expect("message");
    }

    long killedAt = System.nanoTime();
    nodes.get(0).kill();
    JsonObject presence = alice.expect("presence");
    long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
    log.info("bob left the member lists {} ms after SIGKILL (CLUSTER_FAILURE_TIMEOUT_S={})", tookMs, FAILURE_TIMEOUT_S);
    assertEquals("bob", presence.getString("nick"));
    assertEquals("leave", presence.getString("event"));
    assertEquals("bob", carol.expect("presence").getString("nick"));
    assertTrue(tookMs < (FAILURE_TIMEOUT_S + 5) * 1000L, "took " + tookMs + " ms");

    // Every acknowledged message is still in history, and the survivors chat on.
    alice.send(new JsonObject().put("type", "history").put("room", "general"));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ClusterTest.ids(alice.expect("history").getJsonArray("messages")));
    alice.say("general", "still here");
    assertEquals(6L, carol.expect("message").getLong("id"));

    // Bob's nick was released; he resumes on another node from the last id he saw, with no gap.
    TestClient bobAgain = user(2, "bob");
    JsonObject joined = bobAgain.join("general", 5);
    assertEquals(List.of(6L), ClusterTest.ids(joined.getJsonArray("history")));
    assertTrue(joined.getBoolean("recovered"));
  }

  @Test
  void sigterm_closes_clients_with_1012_and_their_members_leave_at_once() {
    TestClient alice = user(1, "alice");
    TestClient bob = user(0, "bob");
    alice.join("general");
    bob.join("general");
    alice.expect("presence");
    bob.say("general", "bye");
    alice.expect("message");

    long stoppedAt = System.nanoTime();
    nodes.get(0).terminate();
    assertEquals(1012, bob.awaitClose());
    JsonObject presence = alice.expect("presence");
    long tookMs = (System.nanoTime() - stoppedAt) / 1_000_000;
    log.info("bob left the member lists {} ms after SIGTERM", tookMs);
    assertEquals("leave", presence.getString("event"));
    assertTrue(tookMs < FAILURE_TIMEOUT_S * 1000L, "left before any failure detection could: " + tookMs + " ms");
    assertTrue(nodes.get(0).awaitExit(20), "the node exits");
    assertEquals(143, nodes.get(0).process().exitValue(), "the exit status of a JVM ended by SIGTERM (128 + 15)");

    TestClient bobAgain = user(2, "bob");
    JsonObject joined = bobAgain.join("general", 0);
    assertEquals("bye", joined.getJsonArray("history").getJsonObject(0).getString("text"));
  }
}
