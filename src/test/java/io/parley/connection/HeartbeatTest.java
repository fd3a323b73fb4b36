package io.parley.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a connection is pinged and when it is taken for dead, with the clock in the test's hands. */
class HeartbeatTest {

  private static final long INTERVAL = 1000;
  private static final long TIMEOUT = 2500;

  @Test
  void the_first_ping_falls_within_the_first_interval_then_one_per_interval() {
    Heartbeat heartbeat = new Heartbeat(INTERVAL, TIMEOUT, 0);
    List<Long> pings = new ArrayList<>();
    // Every millisecond over three intervals: the first ping (due at a random millisecond of the first interval) is
    // seen when due, and exactly three fall in the span.
    for (long now = 0; now < 3 * INTERVAL; now++) {
      heartbeat.heard(now); // a client that answers at once
      if (heartbeat.tick(now) == Heartbeat.Verdict.PING) {
        pings.add(now);
      }
    }
    assertEquals(3, pings.size(), String.valueOf(pings));
    assertEquals(true, pings.get(0) < INTERVAL);
    assertEquals(INTERVAL, pings.get(1) - pings.get(0), 10);
  }

  @Test
  void silence_past_the_timeout_is_death_and_any_sign_of_life_resets_it() {
    Heartbeat heartbeat = new Heartbeat(INTERVAL, TIMEOUT, 0);
    assertEquals(false, heartbeat.tick(TIMEOUT) == Heartbeat.Verdict.DEAD, "at the timeout, not yet");
    heartbeat.heard(2000);
    assertEquals(false, heartbeat.tick(4000) == Heartbeat.Verdict.DEAD);
    assertEquals(Heartbeat.Verdict.DEAD, heartbeat.tick(4501));
  }
}
