package io.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load generator against a real Parley node: a short run at a modest rate loses nothing. */
class LoadGeneratorSmokeTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject()
        .put(Settings.MAX_CONNECTIONS_PER_IP.name(), 0)
        .put(Settings.RATE_LIMIT_PER_S.name(), 1_000_000)
        .put(Settings.RATE_LIMIT_BURST.name(), 1_000_000)
        .put(Settings.ROOM_CREATE_PER_MIN.name(), 1_000_000);
  }

  @Test
  void a_short_run_delivers_everything_once_and_in_order() throws InterruptedException {
    Options options = Options.parse("--target", "parley", "--servers", "127.0.0.1:" + node.httpPort(),
        "--connections", "50", "--rooms", "2", "--senders", "4", "--rate", "2000", "--duration", "2",
        "--warmup", "1", "--server-pids", Long.toString(ProcessHandle.current().pid()), "--label", "smoke");

    List<JsonObject> results = LoadGenerator.run(options, line -> { });

    assertEquals(1, results.size());
    JsonObject result = results.get(0);
    assertTrue(result.getLong("delivered") > 0, result::encode);
    assertEquals(0L, result.getLong("lost"), result::encode);
    assertEquals(0L, result.getLong("duplicates"), result::encode);
    assertEquals(0L, result.getLong("outOfOrder"), result::encode);
    assertEquals(0L, result.getLong("malformed"), result::encode);
    assertNotNull(result.getDouble("p99Ms"), result::encode);
    // a message's first delivery comes no later than its deliveries' median
    assertTrue(result.getDouble("firstP50Ms") <= result.getDouble("p50Ms"), result::encode);
    assertTrue(result.getLong("achievedDeliveriesPerS") > 1000, result::encode);
  }
}
