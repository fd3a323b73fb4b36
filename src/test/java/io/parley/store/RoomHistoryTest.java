package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.protocol.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomHistoryTest {

  private static RoomHistory withMessages(int capacity, int count) {
    RoomHistory history = new RoomHistory(capacity);
    for (int i = 1; i <= count; i++) {
      history.append(new ChatMessage("r", i, "a", "m" + i, i, null));
    }
    return history;
  }

  private static List<Long> ids(List<ChatMessage> messages) {
    return messages.stream().map(ChatMessage::id).toList();
  }

  @Test
  void empty_room() {
    RoomHistory history = new RoomHistory(5);
    assertEquals(0, history.lastId());
    assertEquals(List.of(), ids(history.before(null, 10)));
    assertEquals(List.of(), ids(history.after(0, 10)));
  }

  @Test
  void keeps_the_last_capacity_messages() {
    RoomHistory history = withMessages(5, 12);
    assertEquals(12, history.lastId());
    assertEquals(8, history.firstId());
    assertEquals(List.of(8L, 9L, 10L, 11L, 12L), ids(history.before(null, 100)));
    assertEquals(List.of(8L, 9L), ids(history.before(10L, 100)));
    assertEquals(List.of(), ids(history.before(8L, 100)));
  }

  @Test
  void after_returns_the_newest_up_to_limit() {
    RoomHistory history = withMessages(10, 10);
    assertEquals(List.of(8L, 9L, 10L), ids(history.after(7, 100)));
    assertEquals(List.of(9L, 10L), ids(history.after(2, 2)));
    assertEquals(List.of(), ids(history.after(10, 100)));
    assertEquals(List.of(), ids(history.after(50, 100)));
  }

  @Test
  void ids_must_be_contiguous() {
    RoomHistory history = withMessages(3, 2);
    assertThrows(IllegalArgumentException.class, () -> history.append(new ChatMessage("r", 4, "a", "x", 0, null)));
  }
}
