package io.parley.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order a node hands a room's events out in, without sockets: the cases a cluster produces. */
class RoomSequencerTest {

  private final RoomSequencer sequencer = new RoomSequencer();

  static RoomEvent message(long id) {
    return RoomEvent.of(new ChatMessage("general", id, "elsewhere", "m" + id, 1L, null).toJson());
  }

  static RoomEvent presence(String nick, long version) {
    return RoomEvent.of(ServerFrames.presence("general", nick, "join", version, 1));
  }

  private static List<Long> ids(List<RoomEvent> events) {
    return events.stream().map(RoomEvent::id).toList();
  }

  @Test
  void messages_before_the_baseline_are_held_then_those_after_it_go_out_in_order() {
    assertEquals(List.of(), sequencer.offer(message(7)));
    assertEquals(List.of(), sequencer.offer(message(6)));
    assertEquals(List.of(), sequencer.offer(message(5)));
    assertEquals(List.of(6L, 7L), ids(sequencer.baseline(5)), "5 is in the baseline already");
    assertFalse(sequencer.holding());
    assertEquals(List.of(8L), ids(sequencer.offer(message(8))));
  }

  @Test
  void out_of_order_arrival_waits_for_the_predecessors() {
    sequencer.baseline(1);
    assertEquals(List.of(), sequencer.offer(message(3)));
    assertEquals(List.of(), sequencer.offer(message(4)));
    assertTrue(sequencer.holding());
    assertEquals(List.of(2L, 3L, 4L), ids(sequencer.offer(message(2))));
    assertFalse(sequencer.holding());
  }

  @Test
  void duplicates_are_dropped_whether_handed_out_or_held() {
    sequencer.baseline(0);
    assertEquals(List.of(1L), ids(sequencer.offer(message(1))));
    assertEquals(List.of(), sequencer.offer(message(1)), "handed out already");
    assertEquals(List.of(), sequencer.offer(message(3)));
    assertEquals(List.of(), sequencer.offer(message(3)), "held already");
    assertEquals(List.of(2L, 3L), ids(sequencer.offer(message(2))));
  }

  @Test
  void a_gap_read_spans_every_id_missing_up_to_the_last_held_one() {
    assertNull(sequencer.gap(), "no baseline yet");
    sequencer.baseline(1);
    assertNull(sequencer.gap(), "nothing held");
    sequencer.offer(message(5));
    sequencer.offer(message(7));
    assertArrayEquals(new long[] {2, 6}, sequencer.gap(), "2..4 and 6 in one read");
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L),
        ids(sequencer.filled(2, 6, List.of(message(2), message(3), message(4), message(5), message(6)))));
  }

  @Test
  void gap_then_fill_hands_out_what_history_found_in_order() {
    sequencer.baseline(1);
    sequencer.offer(message(5));
    assertEquals(List.of(2L, 3L, 4L, 5L), ids(sequencer.filled(2, 4, List.of(message(3), message(2), message(4)))));
    assertFalse(sequencer.holding());
  }

  @Test
  void what_history_cannot_supply_is_skipped() {
    sequencer.baseline(1);
    sequencer.offer(message(5));
    assertEquals(List.of(3L, 5L), ids(sequencer.filled(2, 4, List.of(message(3)))), "2 and 4 are gone");
    assertEquals(6, sequencer.next());
  }

  @Test
  void a_read_that_finds_nothing_skips_only_the_range_it_asked_for() {
    sequencer.baseline(1);
    sequencer.offer(message(4));
    sequencer.offer(message(8));
    assertEquals(List.of(4L), ids(sequencer.filled(2, 3, List.of())));
    assertArrayEquals(new long[] {5, 7}, sequencer.gap(), "5..7 were never asked for: they get their own read");
  }

  @Test
  void a_fill_that_comes_after_the_messages_arrived_by_themselves_skips_nothing() {
    sequencer.baseline(1);
    sequencer.offer(message(4));
    assertArrayEquals(new long[] {2, 3}, sequencer.gap());
    assertEquals(List.of(), sequencer.offer(message(3)));
    assertEquals(List.of(2L, 3L, 4L), ids(sequencer.offer(message(2))), "the gap filled itself");
    sequencer.offer(message(7)); // a new gap, 5..6, opened meanwhile
    assertEquals(List.of(), sequencer.filled(2, 3, List.of()), "the late answer to the old gap");
    assertArrayEquals(new long[] {5, 6}, sequencer.gap(), "the new gap is not skipped unread");
  }

  @Test
  void a_fill_ignores_what_it_did_not_ask_for() {
    sequencer.baseline(1);
    sequencer.offer(message(4));
    List<RoomEvent> ready = sequencer.filled(2, 3, List.of(message(2), message(3), message(9)));
    assertEquals(List.of(2L, 3L, 4L), ids(ready));
    assertEquals(List.of(), sequencer.offer(message(10)), "9 was not taken from the fill: 5..9 still missing");
  }

  @Test
  void presence_and_typing_pass_as_they_come_even_before_the_baseline() {
    RoomEvent join = presence("bob", 3);
    assertEquals(List.of(join), sequencer.offer(join));
    sequencer.baseline(1);
    sequencer.offer(message(3));
    RoomEvent late = presence("carol", 2);
    assertEquals(List.of(late), sequencer.offer(late), "presence does not wait behind a held message");
  }

  @Test
  void a_second_baseline_is_ignored() {
    sequencer.baseline(5);
    assertEquals(List.of(), sequencer.baseline(9));
    assertEquals(6, sequencer.next());
  }

  @Test
  void many_messages_in_random_order_come_out_each_once_in_order() {
    sequencer.baseline(0);
    List<Long> order = new ArrayList<>();
    for (long id = 1; id <= 200; id++) {
      order.add(id);
    }
    java.util.Collections.shuffle(order, new java.util.Random(42));
    List<Long> out = new ArrayList<>();
    for (long id : order) {
      out.addAll(ids(sequencer.offer(message(id))));
      out.addAll(ids(sequencer.offer(message(id)))); // and each twice
    }
    assertEquals(200, out.size());
    for (int i = 0; i < out.size(); i++) {
      assertEquals(i + 1L, out.get(i));
    }
  }
}
