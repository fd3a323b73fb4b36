package io.parley.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SerialQueueTest {

  @Test
  void steps_run_one_after_another_in_order_whatever_each_one_ends_in() {
    SerialQueue queue = new SerialQueue();
    List<String> ran = new ArrayList<>();
    Promise<String> slow = Promise.promise();
    Future<String> first = queue.run(() -> {
      ran.add("first");
      return slow.future();
    });
    Future<String> second = queue.run(() -> {
      ran.add("second");
      throw new IllegalStateException("boom");
    });
    Future<String> third = queue.run(() -> {
      ran.add("third");
      return Future.succeededFuture("3");
    });
    assertEquals(List.of("first"), ran, "the others wait for the first");
    assertEquals(2, queue.waiting());
    slow.complete("1");
    assertEquals(List.of("first", "second", "third"), ran);
    assertEquals("1", first.result());
    assertTrue(second.failed(), "a step that throws fails its own future only");
    assertEquals("3", third.result());
    assertEquals(0, queue.waiting());
  }

  /** Many steps behind a slow one are served in a loop: no recursion through them when it completes. */
  @Test
  void many_waiting_steps_do_not_overflow_the_stack() {
    SerialQueue queue = new SerialQueue();
    Promise<Void> slow = Promise.promise();
    queue.run(slow::future);
    int[] count = {0};
    Future<Void> last = null;
    for (int i = 0; i < 100_000; i++) {
      last = queue.run(() -> {
        count[0]++;
        return Future.succeededFuture();
      });
    }
    slow.complete();
    assertEquals(100_000, count[0]);
    assertTrue(last.succeeded());
  }
}
