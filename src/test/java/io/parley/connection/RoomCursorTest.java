package io.parley.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.fanout.RoomEvent;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The join merge (docs/PROTOCOL.md, "Joining: the snapshot and the live stream"), without sockets. */
class RoomCursorTest {

  private static final String ME = "alice";

  private static RoomEvent message(long id, String from) {
    return RoomEvent.of(new ChatMessage("general", id, from, "m" + id, 1L, null).toJson());
  }

  private static RoomEvent presence(String nick, String event, long version) {
    return RoomEvent.of(ServerFrames.presence("general", nick, event, version, 1));
  }

  private static RoomEvent typing(String nick) {
    return RoomEvent.of(ServerFrames.typing("general", nick));
  }

  private static List<String> describe(List<RoomEvent> events) {
    return events.stream().map(e -> e.type() + ":" + (e.isMessage() ? e.id() : e.nick())).toList();
  }

  @Test
  void events_during_the_join_are_held_and_what_the_snapshot_holds_is_dropped() {
    RoomCursor cursor = RoomCursor.joining();
    assertFalse(cursor.offer(message(9, "bob"), ME));
    assertFalse(cursor.offer(message(10, "bob"), ME));
    assertFalse(cursor.offer(message(11, "bob"), ME));
    assertEquals(List.of("message:11"), describe(cursor.joined(10, 4, ME)), "9 and 10 are in the snapshot");
    assertTrue(cursor.offer(message(12, "bob"), ME));
  }

  @Test
  void presence_older_than_the_snapshot_is_dropped_newer_passes_even_out_of_order() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.offer(presence("carol", "join", 3), ME); // before the snapshot's version 4
    cursor.offer(presence("dave", "join", 6), ME);
    assertEquals(List.of("presence:dave"), describe(cursor.joined(0, 4, ME)));
    assertTrue(cursor.offer(presence("erin", "join", 5), ME),
        "an older version after a newer one: different nicks' changes commute, both pass");
    assertFalse(cursor.offer(presence("frank", "leave", 4), ME), "but nothing the snapshot covers");
  }

  @Test
  void a_big_rooms_count_passes_like_presence_by_its_version() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.offer(RoomEvent.of(ServerFrames.count("general", 1500, 3)), ME);
    cursor.offer(RoomEvent.of(ServerFrames.count("general", 1502, 6)), ME);
    assertEquals(List.of("count:null"), describe(cursor.joined(0, 4, ME)), "the snapshot's count covers version 3");
    assertTrue(cursor.offer(RoomEvent.of(ServerFrames.count("general", 1503, 7)), ME), "a count names nobody");
  }

  @Test
  void my_own_presence_and_typing_never_pass_my_own_messages_do() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.offer(presence(ME, "join", 5), ME);
    assertEquals(List.of(), cursor.joined(0, 4, ME));
    assertFalse(cursor.offer(typing(ME), ME));
    assertTrue(cursor.offer(typing("bob"), ME));
    assertTrue(cursor.offer(message(1, ME), ME), "the echo of my message is its acknowledgement");
  }

  @Test
  void duplicates_of_a_message_pass_once() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.joined(3, 1, ME);
    assertTrue(cursor.offer(message(4, "bob"), ME));
    assertFalse(cursor.offer(message(4, "bob"), ME));
    assertFalse(cursor.offer(message(2, "bob"), ME));
    assertEquals(4, cursor.lastId());
  }

  @Test
  void a_rejoin_holds_events_again_until_its_snapshot() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.joined(5, 2, ME);
    cursor.rejoin();
    assertTrue(cursor.isJoining());
    assertFalse(cursor.offer(message(6, "bob"), ME));
    assertFalse(cursor.offer(message(7, "bob"), ME));
    assertEquals(List.of("message:7"), describe(cursor.joined(6, 2, ME)));
  }

  @Test
  void a_failed_join_lets_the_held_events_through_against_what_was_seen() {
    RoomCursor cursor = RoomCursor.joining();
    cursor.joined(5, 2, ME);
    cursor.rejoin();
    cursor.offer(message(5, "bob"), ME);
    cursor.offer(message(6, "bob"), ME);
    assertEquals(List.of("message:6"), describe(cursor.joinFailed(ME)));
    assertFalse(cursor.isJoining());
  }

  @Test
  void the_echo_of_a_repeated_cid_passes_only_as_the_very_next_id() {
    RoomCursor cursor = RoomCursor.joining();
    assertFalse(cursor.offerEcho(message(1, ME)), "not while joining");
    cursor.joined(3, 1, ME);
    assertFalse(cursor.offerEcho(message(3, ME)), "seen already");
    assertFalse(cursor.offerEcho(message(5, ME)), "4 comes first, through the room");
    assertTrue(cursor.offerEcho(message(4, ME)));
    assertFalse(cursor.offer(message(4, ME), ME), "and the room's copy is then a duplicate");
  }

  @Test
  void a_stream_cursor_passes_everything_as_it_comes() {
    RoomCursor cursor = RoomCursor.stream();
    assertTrue(cursor.offer(message(2, "bob"), ME));
    assertTrue(cursor.offer(message(1, "bob"), ME));
    assertTrue(cursor.offer(presence(ME, "join", 1), ME));
    assertTrue(cursor.offer(typing(ME), ME));
    assertFalse(cursor.offerEcho(message(3, ME)), "bridge clients merge for themselves");
  }
}
