package io.parley.js;

import io.parley.config.Settings;
import io.parley.support.NodeTests;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * JavaScript clients against a real two-node Hazelcast cluster: the npm event-bus bridge client
 * ({@code src/test/js/bridge.test.mjs}) and the bundled page in a real Chromium ({@code browser.test.mjs}).
 * Each Node test shows up as a JUnit test of the same name.
 */
class JavaScriptClientsTest {

  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    // The tests' /ws helpers post history in bursts, and every test makes rooms of its own, all from one address;
    // these limits have their own tests (RateAndRoomLimitsTest, BridgeLimitsTest, RoomLimitsTest).
    cluster = TestCluster.start(2, new JsonObject()
        .put(Settings.RATE_LIMIT_PER_S.name(), 10_000).put(Settings.RATE_LIMIT_BURST.name(), 10_000)
        .put(Settings.ROOM_CREATE_PER_MIN.name(), 100_000)
        .put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> env() {
    return Map.of(
        "PARLEY_PORTS", cluster.member(0).httpPort() + "," + cluster.member(1).httpPort(),
        "PARLEY_TCP_BRIDGE_PORTS", cluster.member(0).node().tcpBridgePort() + "," + cluster.member(1).node().tcpBridgePort(),
        "SCREENSHOT_DIR", Path.of("target", "screenshots").toAbsolutePath().toString());
  }

  @TestFactory
  Stream<DynamicTest> bridge_client() {
    return NodeTests.run("bridge.test.mjs", env(), 180);
  }

  @TestFactory
  Stream<DynamicTest> browser() {
    return NodeTests.run("browser.test.mjs", env(), 240);
  }
}
