package io.parley.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.parley.chat.CountThrottle.Count;
import io.parley.chat.CountThrottle.Decision;
import org.junit.jupiter.api.Test;

/** When a big room's counts go out: one per interval, the latest, never one older than what went out before. */
class CountThrottleTest {

  private static final long INTERVAL = 1000;
  private final CountThrottle throttle = new CountThrottle();

  @Test
  void the_first_count_goes_out_at_once_and_the_rest_of_the_interval_waits_for_the_latest() {
    Decision first = throttle.changed("hall", new Count(1001, 11), 5000, INTERVAL);
    assertEquals(new Count(1001, 11), first.publish());
    assertEquals(INTERVAL, first.checkInMs());
    assertEquals(Decision.NOTHING, throttle.changed("hall", new Count(1002, 12), 5100, INTERVAL));
    assertEquals(Decision.NOTHING, throttle.changed("hall", new Count(1003, 13), 5200, INTERVAL));
    Decision due = throttle.due("hall", 6000, INTERVAL);
    assertEquals(new Count(1003, 13), due.publish(), "the latest of the interval, once");
    assertEquals(INTERVAL, due.checkInMs());
    assertNull(throttle.due("hall", 7000, INTERVAL).publish(), "nothing changed meanwhile");
    assertEquals(0, throttle.rooms(), "a quiet room is forgotten");
  }

  @Test
  void a_count_after_a_quiet_spell_waits_only_for_what_is_left_of_the_interval() {
    throttle.changed("hall", new Count(1001, 11), 5000, INTERVAL);
    throttle.due("hall", 6000, INTERVAL);
    Decision again = throttle.changed("hall", new Count(1002, 12), 6500, INTERVAL);
    assertEquals(new Count(1002, 12), again.publish(), "forgotten: a new spell starts at once");
  }

  @Test
  void a_count_never_goes_backwards() {
    throttle.changed("hall", new Count(1005, 15), 5000, INTERVAL);
    assertEquals(Decision.NOTHING, throttle.changed("hall", new Count(1004, 14), 5100, INTERVAL),
        "older than the one that went out");
    assertNull(throttle.due("hall", 6000, INTERVAL).publish());
  }

  @Test
  void a_waiting_count_older_than_a_presence_that_went_out_is_dropped() {
    throttle.changed("hall", new Count(1001, 11), 5000, INTERVAL);
    throttle.changed("hall", new Count(1000, 12), 5100, INTERVAL); // waits
    throttle.presence("hall", 13); // the room went below the size: a presence, with its own count, went out
    assertEquals(Decision.NOTHING, throttle.changed("hall", new Count(1001, 12), 5200, INTERVAL),
        "a change older than the presence, completed late");
    assertNull(throttle.due("hall", 6000, INTERVAL).publish(), "the waiting count would undo the presence's");
  }

  @Test
  void rooms_are_throttled_apart() {
    assertEquals(new Count(2000, 1), throttle.changed("a", new Count(2000, 1), 5000, INTERVAL).publish());
    assertEquals(new Count(3000, 1), throttle.changed("b", new Count(3000, 1), 5000, INTERVAL).publish());
  }

  @Test
  void the_next_check_waits_for_the_interval_of_the_count_that_went_out() {
    // a room filling up: the first count of the chain is small, the one published at its end is not
    throttle.changed("hall", new Count(1001, 1), 5000, 1000);
    throttle.changed("hall", new Count(100_000, 99_000), 5500, 1000);
    Decision due = throttle.due("hall", 6000, count -> RoomEvents.countInterval(1000, 6, count, 1000));
    assertEquals(new Count(100_000, 99_000), due.publish());
    assertEquals(60_000, due.checkInMs(), "the size that went out sets the wait for the next");
  }

  @Test
  void the_interval_grows_with_the_nodes_and_the_root_of_the_rooms_size() {
    assertEquals(1000, RoomEvents.countInterval(1000, 1, 1001, 1000), "just big: the setting");
    assertEquals(6000, RoomEvents.countInterval(1000, 6, 1000, 1000), "six nodes: each sends a sixth");
    assertEquals(2000, RoomEvents.countInterval(1000, 1, 4000, 1000));
    assertEquals(60_000, RoomEvents.countInterval(1000, 6, 100_000, 1000), "100,000: every 10 s cluster-wide");
    assertEquals(1000, RoomEvents.countInterval(1000, 0, 10, 1000), "never below the setting");
  }
}
