package io.parley.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void writes_the_first_lines_of_a_window_then_counts_the_rest_and_reports_them_with_the_next() {
    LogThrottle throttle = new LogThrottle(1, TimeUnit.SECONDS, 2);
    long t = 5 * SECOND;
    assertEquals(0, throttle.admit(t));
    assertEquals(0, throttle.admit(t + 1));
    assertEquals(-1, throttle.admit(t + 2));
    assertEquals(-1, throttle.admit(t + SECOND - 1));
    assertEquals(2, throttle.admit(t + SECOND), "a new window: two were left out");
    assertEquals(0, throttle.admit(t + SECOND + 1));
    assertEquals(-1, throttle.admit(t + SECOND + 2));
    assertEquals(" (1 more like it were not logged)", LogThrottle.note(throttle.admit(t + 3 * SECOND)));
    assertEquals("", LogThrottle.note(0));
  }
}
