package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A room's members as both directories keep them: users with many connections, versions, pages. */
class RoomMembersTest {

  @Test
  void a_room_counts_users_not_connections() {
    RoomMembers room = new RoomMembers(100);
    assertTrue(room.join("alice", "c1", "n1"));
    assertEquals(101L, room.version());
    assertFalse(room.join("alice", "c2", "n2"));
    assertFalse(room.join("alice", "c2", "n2"), "the same connection again (a resync)");
    assertEquals(101L, room.version(), "a second connection changes no version");
    assertEquals(List.of("alice"), room.all());
    assertEquals(2, room.connections());
    assertEquals(0L, room.leave("alice", "c1"), "still there by c2");
    assertEquals(0L, room.leave("alice", "c9"), "not one of its connections");
    assertEquals(102L, room.leave("alice", "c2"));
    assertTrue(room.isEmpty());
  }

  @Test
  void a_removal_takes_every_connection_of_the_user() {
    RoomMembers room = new RoomMembers(0);
    room.join("bob", "c1", "n1");
    room.join("bob", "c2", "n2");
    room.join("alice", "c3", "n1");
    assertEquals(3L, room.leave("bob", null));
    assertEquals(1, room.count());
    assertEquals(0L, room.leave("bob", null), "not there any more");
  }

  @Test
  void a_dead_node_leaves_the_users_it_held_alone() {
    RoomMembers room = new RoomMembers(0);
    room.join("bob", "c1", "n1");
    room.join("bob", "c2", "n2");
    room.join("carol", "c3", "n1");
    room.join("dave", "c4", "n1");
    assertEquals(List.of(new Directory.Departure("carol", 4), new Directory.Departure("dave", 5)),
        room.leaveNode("n1"), "bob is still there by n2; the others leave in nick order");
    assertEquals(List.of("bob"), room.all());
    assertEquals(1, room.connections());
    assertEquals(List.of(), room.leaveNode("n9"));
  }

  @Test
  void pages_go_through_every_member_in_nick_order() {
    RoomMembers room = new RoomMembers(0);
    List<String> nicks = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String nick = String.format("u%02d", 24 - i);
      room.join(nick, "c" + i, "n1");
      nicks.add(0, nick);
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Directory.Page page = Directory.pageOf(room, after, 10);
      assertEquals(25, page.count());
      seen.addAll(page.members());
      after = page.next();
      pages++;
    } while (after != null);
    assertEquals(nicks, seen);
    assertEquals(3, pages);
    Directory.Page exact = Directory.pageOf(room, "u14", 10);
    assertEquals(10, exact.members().size());
    assertNull(exact.next(), "the page that ends with the last member says nothing follows");
    assertEquals(List.of(), Directory.pageOf(null, null, 10).members());
  }

  @Test
  void a_join_answers_every_member_up_to_the_big_room_size_then_a_page() {
    RoomMembers room = new RoomMembers(0);
    for (int i = 0; i < 3; i++) {
      room.join("u" + i, "c" + i, "n1");
    }
    Directory.Membership small = Directory.joinOf(room, "u3", "c3", "n1", 4, 2);
    assertEquals(List.of("u0", "u1", "u2", "u3"), small.members());
    assertFalse(small.partial());
    Directory.Membership big = Directory.joinOf(room, "u4", "c4", "n1", 4, 2);
    assertEquals(List.of("u0", "u1"), big.members());
    assertEquals(5, big.count());
    assertTrue(big.partial());
    assertTrue(big.added());
  }

  @Test
  void a_room_survives_serialization_with_its_version_and_nodes() throws Exception {
    RoomMembers room = new RoomMembers(7);
    room.join("a", "c1", new String("node-1".toCharArray()));
    room.join("b", "c2", new String("node-1".toCharArray()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(room);
    }
    RoomMembers copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (RoomMembers) in.readObject();
    }
    assertEquals(List.of("a", "b"), copy.all());
    assertEquals(9L, copy.version());
    assertEquals(List.of(new Directory.Departure("a", 10), new Directory.Departure("b", 11)),
        copy.leaveNode("node-1"));
  }
}
