package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.store.Appended;
import io.parley.store.CidStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One transaction's plan, without a database: who gets which id, and which send is a repeat. */
class AppendPlanTest {

  private static AppendPlan.Send send(String room, String from, String cid, long ts) {
    return new AppendPlan.Send(room, from, "t", cid, ts);
  }

  private static long idOf(Appended appended) {
    return appended instanceof Appended.Stored s ? s.message().id() : -((Appended.Repeated) appended).id();
  }

  @Test
  void each_room_counts_on_from_its_last_id_in_the_order_of_the_batch() {
    AppendPlan plan = AppendPlan.of(List.of(send("a", "x", null, 1), send("b", "x", null, 2), send("a", "y", null, 3)),
        Map.of("a", 10L, "b", 0L), Map.of());
    assertEquals(List.of(11L, 1L, 12L), plan.results().stream().map(AppendPlanTest::idOf).toList());
    assertEquals(Map.of("a", 12L, "b", 1L), plan.lastIds());
    assertEquals(Map.of("a", 3L, "b", 2L), plan.lastActive());
    assertEquals(3, plan.inserts().size());
  }

  @Test
  void a_cid_stored_before_takes_no_id_and_answers_with_the_first() {
    ChatMessage first = new ChatMessage("a", 4, "x", "first", 1, "c1");
    AppendPlan plan = AppendPlan.of(List.of(send("a", "x", "c1", 5), send("a", "x", "c2", 6)), Map.of("a", 9L),
        Map.of(CidStore.key("a", "x", "c1"), first));
    assertEquals(List.of(-4L, 10L), plan.results().stream().map(AppendPlanTest::idOf).toList());
    assertEquals(first, ((Appended.Repeated) plan.results().get(0)).message());
    assertEquals(1, plan.inserts().size());
  }

  @Test
  void the_same_cid_twice_in_one_batch_is_stored_once() {
    AppendPlan plan = AppendPlan.of(List.of(send("a", "x", "c1", 1), send("a", "x", "c1", 2), send("a", "y", "c1", 3)),
        Map.of("a", 0L), Map.of());
    assertEquals(List.of(1L, -1L, 2L), plan.results().stream().map(AppendPlanTest::idOf).toList(),
        "another sender's c1 is its own");
  }

  @Test
  void a_batch_of_repeats_only_changes_no_room() {
    ChatMessage first = new ChatMessage("a", 1, "x", "t", 1, "c1");
    AppendPlan plan = AppendPlan.of(List.of(send("a", "x", "c1", 5)), Map.of("a", 1L),
        Map.of(CidStore.key("a", "x", "c1"), first));
    assertTrue(plan.inserts().isEmpty());
    assertTrue(plan.lastIds().isEmpty(), "nothing to update");
  }

  @Test
  void a_room_without_a_last_id_is_a_bug_of_the_caller() {
    assertThrows(IllegalArgumentException.class, () -> AppendPlan.of(List.of(send("a", "x", null, 1)), Map.of(), Map.of()));
  }
}
