package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Eventually;
import io.parley.support.TestClient;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that sees fewer members than its quorum (a majority of CLUSTER_MEMBERS) is on the minority side: it refuses
 * {@code hello}, {@code join} and {@code send} with {@code unavailable}, and {@code /ready} answers 503
 * {@code NO_QUORUM}. (PartitionTest takes a cluster through a real split and its heal.)
 */
class ClusterQuorumTest {

  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3, new JsonObject());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static JsonObject ready(Vertx vertx, int port) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
              .setURI("/ready").setTimeout(TestClient.WAIT_SECONDS * 1000))
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> new JsonObject(body.toString())
              .put("httpStatus", response.statusCode())))
          .await();
    } finally {
      client.close();
    }
  }

  @Test
  void minority_node_answers_unavailable_and_ready_no_quorum() {
    TestCluster.Member survivor = cluster.member(0);
    TestClient alice = cluster.user(0, "alice");
    alice.join("general");
    alice.say("general", "before");
    assertEquals(200, ready(survivor.vertx(), survivor.httpPort()).getInteger("httpStatus"));
    cluster.member(2).shutdown();
    // Two of three: still a majority.
    alice.say("general", "two of three");
    // One node at a time, as an operator rolls them: the second leaves once the first one's partitions have moved.
    cluster.awaitPartitionsSafe();
    cluster.member(1).shutdown();
    Eventually.await(survivor.vertx(), () -> "NO_QUORUM".equals(
        ready(survivor.vertx(), survivor.httpPort()).getString("status")), "/ready says NO_QUORUM");
    assertEquals(503, ready(survivor.vertx(), survivor.httpPort()).getInteger("httpStatus"));
    alice.send(new JsonObject().put("type", "send").put("room", "general").put("text", "alone").put("ref", "s1"));
    JsonObject refused = alice.expectError("unavailable");
    assertEquals("s1", refused.getString("ref"));
    TestClient bob = TestClient.connect(survivor.vertx(), survivor.httpPort());
    bob.send(new JsonObject().put("type", "hello").put("nick", "bob"));
    assertTrue(bob.expectError("unavailable").getString("message").contains("cut off"));
    bob.close();
  }
}
