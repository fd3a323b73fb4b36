package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageLog} promises, run against each real store (SQLite in a temporary folder, PostgreSQL on
 * the tests' server, memory). A store is used on one context, as the chat verticle uses it.
 */
public abstract class MessageLogContract {

  protected final Vertx vertx = Vertx.vertx();
  protected final Context context = vertx.getOrCreateContext();
  protected MessageLog log;

  /** A new, empty store, opened on the caller's context. */
  protected abstract Future<MessageLog> open();

  /** The same store's data opened again (a restart), or null if it does not outlive the process. */
  protected abstract Future<MessageLog> reopen();

  @BeforeEach
  void openStore() {
    log = on(this::open);
  }

  @AfterEach
  void closeStore() {
    on(() -> log.close());
    vertx.close().await();
  }

  /** Whether the store enforces retention itself (a memory store keeps {@code HISTORY_SIZE} per room instead). */
  protected boolean prunes() {
    return true;
  }

  /**
   * Whether sends made at once are stored in the order they were made (the SQL stores' group commit, the memory
   * store's event loop); the cluster's memory store claims cids on worker threads first, in no order.
   */
  protected boolean ordersConcurrentSends() {
    return true;
  }

  /** Runs {@code call} on the store's context and waits for its result. */
  protected <T> T on(Callable<Future<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        call.call().onComplete(done -> {
          if (done.succeeded()) {
            result.complete(done.result());
          } else {
            result.completeExceptionally(done.cause());
          }
        });
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ChatMessage stored(Appended appended) {
    assertTrue(appended instanceof Appended.Stored, String.valueOf(appended));
    return ((Appended.Stored) appended).message();
  }

  private List<Long> ids(MessageLog.Slice slice) {
    return slice.messages().stream().map(ChatMessage::id).toList();
  }

  @Test
  void ids_are_plus_one_per_room_from_one() {
    on(() -> log.createRoom("a", 100));
    on(() -> log.createRoom("b", 100));
    assertEquals(1, stored(on(() -> log.append("a", "alice", "x", null, 1))).id());
    assertEquals(2, stored(on(() -> log.append("a", "alice", "y", null, 2))).id());
    assertEquals(1, stored(on(() -> log.append("b", "bob", "z", null, 3))).id());
    assertEquals(2L, on(() -> log.lastId("a")));
  }

  @Test
  void many_sends_at_once_each_get_their_own_id_in_order() {
    on(() -> log.createRoom("a", 100));
    List<Future<Appended>> sent = on(() -> {
      List<Future<Appended>> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        all.add(log.append("a", "alice", "m" + i, "c" + i, i));
      }
      return Future.succeededFuture(all);
    });
    List<Long> ids = new ArrayList<>();
    for (Future<Appended> f : sent) {
      ids.add(stored(f.toCompletionStage().toCompletableFuture().join()).id());
    }
    if (!ordersConcurrentSends()) {
      ids = ids.stream().sorted().toList(); // each its own id, ids without a hole, in whatever order
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(i + 1L, ids.get(i), "in the order they were sent");
    }
    assertEquals(300, on(() -> log.between("a", 1, 300)).messages().size());
  }

  @Test
  void a_repeated_cid_is_stored_once_and_answered_with_the_first() {
    on(() -> log.createRoom("a", 100));
    ChatMessage first = stored(on(() -> log.append("a", "alice", "hello", "c1", 1)));
    Appended again = on(() -> log.append("a", "alice", "hello again", "c1", 2));
    assertTrue(again instanceof Appended.Repeated, String.valueOf(again));
    assertEquals(first.id(), ((Appended.Repeated) again).id());
    assertEquals("hello", ((Appended.Repeated) again).message().text());
    assertEquals(1L, on(() -> log.lastId("a")), "no id used");
    assertTrue(on(() -> log.append("a", "bob", "mine", "c1", 3)) instanceof Appended.Stored, "another sender's cid");
  }

  @Test
  void the_same_cid_twice_in_one_batch_is_stored_once() {
    on(() -> log.createRoom("a", 100));
    List<Future<Appended>> sent = on(() -> Future.succeededFuture(List.of(
        log.append("a", "alice", "one", "c1", 1), log.append("a", "alice", "two", "c1", 2),
        log.append("a", "alice", "three", "c1", 3))));
    long stored = sent.stream().map(f -> f.toCompletionStage().toCompletableFuture().join())
        .filter(a -> a instanceof Appended.Stored).count();
    assertEquals(1, stored);
    assertEquals(1L, on(() -> log.lastId("a")));
  }

  @Test
  void history_reads_before_after_and_between() {
    on(() -> log.createRoom("a", 100));
    for (int i = 1; i <= 10; i++) {
      int n = i;
      on(() -> log.append("a", "alice", "m" + n, null, n));
    }
    assertEquals(List.of(8L, 9L, 10L), ids(on(() -> log.before("a", null, 3))));
    assertEquals(List.of(3L, 4L), ids(on(() -> log.before("a", 5L, 2))));
    assertEquals(List.of(9L, 10L), ids(on(() -> log.after("a", 6, 2))), "the newest after since, at most limit");
    assertEquals(List.of(4L, 5L, 6L), ids(on(() -> log.between("a", 4, 6))));
    MessageLog.Slice slice = on(() -> log.after("a", 8, 100));
    assertEquals(10L, slice.lastId());
    ChatMessage m = slice.messages().get(0);
    assertEquals(new ChatMessage("a", 9, "alice", "m9", 9, null), m);
  }

  @Test
  void rooms_are_records_paged_by_name_and_reads_create_nothing() {
    assertNull(on(() -> log.room("nobody")));
    assertEquals(0L, on(() -> log.lastId("nobody")));
    assertEquals(0, on(() -> log.before("nobody", null, 10)).messages().size());
    assertNull(on(() -> log.room("nobody")), "reading it did not create it");
    for (String room : List.of("c", "a", "b")) {
      on(() -> log.createRoom(room, 100));
    }
    RoomRecord a = on(() -> log.room("a"));
    assertNotNull(a.epoch());
    assertEquals(a.epoch(), on(() -> log.createRoom("a", 100)).epoch(), "creating it again changes nothing");
    assertEquals(List.of("a", "b"), on(() -> log.rooms(null, 2)).stream().map(RoomRecord::name).toList());
    assertEquals(List.of("c"), on(() -> log.rooms("b", 2)).stream().map(RoomRecord::name).toList());
  }

  /** The first members of a new room come at once: every creation answers the one room, with one epoch. */
  @Test
  void concurrent_creations_of_one_room_make_one_room() {
    List<RoomRecord> records = on(() -> {
      List<Future<RoomRecord>> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        all.add(log.createRoom("herd", 100));
      }
      return Future.all(all).map(done -> all.stream().map(Future::result).toList());
    });
    assertEquals(1, records.stream().map(RoomRecord::epoch).distinct().count(), String.valueOf(records));
    assertEquals(1, on(() -> log.rooms(null, 100)).size());
  }

  @Test
  void room_creation_stops_at_the_cap() {
    assertNotNull(on(() -> log.createRoom("a", 2)));
    assertNotNull(on(() -> log.createRoom("b", 2)));
    assertNull(on(() -> log.createRoom("c", 2)));
    assertNotNull(on(() -> log.createRoom("a", 2)), "an existing room is found whatever the cap");
  }

  @Test
  void a_restart_keeps_every_message_the_ids_and_the_epoch() {
    on(() -> log.createRoom("a", 100));
    String epoch = on(() -> log.room("a")).epoch();
    for (int i = 1; i <= 5; i++) {
      int n = i;
      on(() -> log.append("a", "alice", "m" + n, "c" + n, n));
    }
    on(() -> log.close());
    log = on(this::reopen);
    if (log == null) {
      log = on(this::open);
      return; // a memory store: nothing to keep
    }
    assertEquals(epoch, on(() -> log.room("a")).epoch());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(on(() -> log.after("a", 0, 100))));
    assertTrue(on(() -> log.append("a", "alice", "again", "c3", 9)) instanceof Appended.Repeated, "cids too");
    assertEquals(6, stored(on(() -> log.append("a", "alice", "m6", null, 6))).id());
  }

  @Test
  void retention_drops_old_messages_and_keeps_the_newest_per_room() {
    on(() -> log.createRoom("a", 100));
    long old = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(10);
    on(() -> log.append("a", "alice", "old", null, old));
    for (int i = 0; i < 5; i++) {
      on(() -> log.append("a", "alice", "new", null, System.currentTimeMillis()));
    }
    long deleted = on(() -> log.prune(7, 3));
    if (!prunes()) {
      assertEquals(0L, deleted);
      return;
    }
    assertEquals(3L, deleted, "the old one by age, two more by count");
    assertEquals(List.of(4L, 5L, 6L), ids(on(() -> log.after("a", 0, 100))));
    assertEquals(6L, on(() -> log.lastId("a")), "ids go on");
    assertEquals(7L, stored(on(() -> log.append("a", "alice", "after", null, System.currentTimeMillis()))).id());
  }

  /** A sweep goes through the rooms in chunks (a few hundred per transaction); it must reach every one. */
  @Test
  void retention_reaches_every_room() {
    int rooms = 450;
    for (int r = 0; r < rooms; r++) {
      String room = "room-" + r;
      on(() -> log.createRoom(room, 1000));
      for (int i = 0; i < 3; i++) {
        on(() -> log.append(room, "alice", "m", null, System.currentTimeMillis()));
      }
    }
    long deleted = on(() -> log.prune(0, 1));
    if (!prunes()) {
      assertEquals(0L, deleted);
      return;
    }
    assertEquals(2L * rooms, deleted);
    for (int r = 0; r < rooms; r += 37) {
      String room = "room-" + r;
      assertEquals(List.of(3L), ids(on(() -> log.after(room, 0, 100))), room);
    }
    assertEquals(List.of(3L), ids(on(() -> log.after("room-" + (rooms - 1), 0, 100))), "the last room");
  }

  // ---- private and direct rooms, access lists, read markers -------------------------------------------------------

  private List<String> names(List<RoomRecord> records) {
    return records.stream().map(RoomRecord::name).toList();
  }

  @Test
  void a_private_room_records_its_kind_and_owner_and_gives_the_owner_owner_access() {
    RoomRecord created = on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    assertEquals(RoomKind.PRIVATE, created.kind());
    assertEquals("alice", created.owner());
    RoomRecord read = on(() -> log.room("secret"));
    assertEquals(RoomKind.PRIVATE, read.kind());
    assertEquals("alice", read.owner());
    assertEquals(created.epoch(), read.epoch());
    assertEquals(MessageLog.Access.OWNER, on(() -> log.access("secret", "alice")));
    assertNull(on(() -> log.access("secret", "bob")));
    assertEquals(Map.of("alice", MessageLog.Access.OWNER), on(() -> log.accessList("secret")));
  }

  @Test
  void a_direct_room_makes_both_users_members_and_has_no_owner() {
    RoomRecord created = on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    assertEquals(RoomKind.DIRECT, created.kind());
    assertNull(created.owner());
    assertEquals(RoomKind.DIRECT, on(() -> log.room("dm")).kind());
    assertEquals(Map.of("alice", MessageLog.Access.MEMBER, "bob", MessageLog.Access.MEMBER),
        on(() -> log.accessList("dm")));
  }

  @Test
  void a_public_room_is_public_without_owner_nor_access_list() {
    RoomRecord created = on(() -> log.createRoom("lobby", 100));
    assertEquals(RoomKind.PUBLIC, created.kind());
    assertNull(created.owner());
    assertEquals(RoomKind.PUBLIC, on(() -> log.room("lobby")).kind());
    assertEquals(Map.of(), on(() -> log.accessList("lobby")));
    assertNull(on(() -> log.access("lobby", "alice")));
  }

  @Test
  void creating_an_existing_room_leaves_its_kind_owner_and_access_list_untouched() {
    RoomRecord first = on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    RoomRecord again = on(() -> log.createRoom("secret", 100, RoomKind.DIRECT, List.of("bob", "carol")));
    assertEquals(first.epoch(), again.epoch());
    assertEquals(RoomKind.PRIVATE, again.kind());
    assertEquals("alice", again.owner());
    assertEquals(RoomKind.PRIVATE, on(() -> log.createRoom("secret", 100)).kind(), "nor as a public one");
    assertEquals(Map.of("alice", MessageLog.Access.OWNER), on(() -> log.accessList("secret")));
    on(() -> log.createRoom("lobby", 100));
    assertEquals(RoomKind.PUBLIC, on(() -> log.createRoom("lobby", 100, RoomKind.PRIVATE, List.of("eve"))).kind());
    assertEquals(Map.of(), on(() -> log.accessList("lobby")));
  }

  @Test
  void a_private_room_counts_against_the_cap() {
    assertNotNull(on(() -> log.createRoom("a", 2)));
    assertNotNull(on(() -> log.createRoom("b", 2, RoomKind.PRIVATE, List.of("alice"))));
    assertNull(on(() -> log.createRoom("c", 2, RoomKind.DIRECT, List.of("alice", "bob"))));
    assertNull(on(() -> log.room("c")));
    assertEquals(Map.of(), on(() -> log.accessOf("alice", List.of("c"))), "no access list for a room not made");
  }

  @Test
  void the_access_list_a_room_starts_with_replaces_grants_made_before_it_existed() {
    on(() -> log.grant("dm", "eve", MessageLog.Access.INVITED));
    on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    assertEquals(Map.of("alice", MessageLog.Access.MEMBER, "bob", MessageLog.Access.MEMBER),
        on(() -> log.accessList("dm")));
  }

  @Test
  void an_access_list_that_does_not_fit_the_kind_is_refused_and_creates_nothing() {
    for (List<String> members : List.of(List.<String>of(), List.of("alice", "bob"))) {
      AssertionError refused = assertThrows(AssertionError.class,
          () -> on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, members)));
      assertTrue(refused.getCause() instanceof java.util.concurrent.ExecutionException
          && refused.getCause().getCause() instanceof IllegalArgumentException, String.valueOf(refused.getCause()));
    }
    for (List<String> members : List.of(List.of("alice"), List.of("alice", "alice"), List.of("a", "b", "c"))) {
      assertThrows(AssertionError.class, () -> on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, members)));
    }
    assertNull(on(() -> log.room("secret")));
    assertNull(on(() -> log.room("dm")));
  }

  @Test
  void a_nick_sees_the_public_rooms_and_the_others_it_has_any_access_to_by_name() {
    on(() -> log.createRoom("a-public", 100));
    on(() -> log.createRoom("b-owned", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.createRoom("c-member", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.grant("c-member", "alice", MessageLog.Access.MEMBER));
    on(() -> log.createRoom("d-invited", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.grant("d-invited", "alice", MessageLog.Access.INVITED));
    on(() -> log.createRoom("e-direct", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    on(() -> log.createRoom("f-others", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.createRoom("g-others-direct", 100, RoomKind.DIRECT, List.of("bob", "carol")));
    on(() -> log.createRoom("h-public", 100));

    assertEquals(List.of("a-public", "b-owned", "c-member", "d-invited", "e-direct", "h-public"),
        names(on(() -> log.rooms("alice", null, 100))));
    assertEquals(List.of("a-public", "h-public"), names(on(() -> log.rooms("dave", null, 100))), "another nick");
    assertEquals(List.of("a-public", "h-public"), names(on(() -> log.rooms(null, null, 100))), "nobody");
    assertEquals(List.of("a-public", "h-public"), names(on(() -> log.rooms(null, 100))), "the public list");
    assertEquals(List.of("a-public", "c-member", "d-invited", "e-direct", "f-others", "g-others-direct", "h-public"),
        names(on(() -> log.rooms("bob", null, 100))));

    RoomRecord owned = on(() -> log.rooms("alice", null, 100)).get(1);
    assertEquals(RoomKind.PRIVATE, owned.kind());
    assertEquals("alice", owned.owner());
  }

  @Test
  void a_nicks_rooms_are_paged_by_name_after_the_last_one() {
    on(() -> log.createRoom("a", 100));
    on(() -> log.createRoom("b", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.createRoom("c", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.createRoom("d", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.createRoom("e", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    on(() -> log.createRoom("f", 100));
    assertEquals(List.of("a", "c"), names(on(() -> log.rooms("alice", null, 2))));
    assertEquals(List.of("e", "f"), names(on(() -> log.rooms("alice", "c", 2))));
    assertEquals(List.of(), names(on(() -> log.rooms("alice", "f", 2))));
    assertEquals(List.of("f"), names(on(() -> log.rooms(null, "a", 2))));
  }

  @Test
  void a_revoked_nick_no_longer_sees_the_room() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.grant("secret", "bob", MessageLog.Access.MEMBER));
    assertEquals(List.of("secret"), names(on(() -> log.rooms("bob", null, 100))));
    on(() -> log.revoke("secret", "bob"));
    assertEquals(List.of(), names(on(() -> log.rooms("bob", null, 100))));
  }

  @Test
  void grant_never_lowers_an_access_and_returns_the_one_before() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    assertNull(on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED)), "bob had none");
    assertEquals(MessageLog.Access.INVITED, on(() -> log.access("secret", "bob")));
    assertEquals(MessageLog.Access.INVITED, on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED)));
    assertEquals(MessageLog.Access.INVITED, on(() -> log.grant("secret", "bob", MessageLog.Access.MEMBER)),
        "an invitation turned into membership");
    assertEquals(MessageLog.Access.MEMBER, on(() -> log.access("secret", "bob")));
    assertEquals(MessageLog.Access.MEMBER, on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED)));
    assertEquals(MessageLog.Access.MEMBER, on(() -> log.access("secret", "bob")), "an invitation lowers nothing");
    assertEquals(MessageLog.Access.OWNER, on(() -> log.grant("secret", "alice", MessageLog.Access.MEMBER)));
    assertEquals(MessageLog.Access.OWNER, on(() -> log.grant("secret", "alice", MessageLog.Access.INVITED)));
    assertEquals(MessageLog.Access.OWNER, on(() -> log.access("secret", "alice")), "the owner stays the owner");
    assertEquals(MessageLog.Access.MEMBER, on(() -> log.grant("secret", "bob", MessageLog.Access.OWNER)));
    assertEquals(MessageLog.Access.OWNER, on(() -> log.access("secret", "bob")), "owner over anything");
    assertNull(on(() -> log.grant("secret", "carol", MessageLog.Access.OWNER)));
    assertEquals(Map.of("alice", MessageLog.Access.OWNER, "bob", MessageLog.Access.OWNER, "carol",
        MessageLog.Access.OWNER), on(() -> log.accessList("secret")));
  }

  /** Two nodes (or two requests) granting at once: whatever the order, the higher access stays. */
  @Test
  void grants_at_once_keep_the_highest() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    List<MessageLog.Access> before = on(() -> {
      List<Future<MessageLog.Access>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(log.grant("secret", "bob", i == 5 ? MessageLog.Access.MEMBER : MessageLog.Access.INVITED));
      }
      return Future.all(all).map(done -> all.stream().map(Future::result).toList());
    });
    assertEquals(1, before.stream().filter(java.util.Objects::isNull).count(), "one found none: " + before);
    assertEquals(MessageLog.Access.MEMBER, on(() -> log.access("secret", "bob")));
  }

  @Test
  void revoke_answers_whether_the_nick_had_access() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED));
    assertTrue(on(() -> log.revoke("secret", "bob")));
    assertNull(on(() -> log.access("secret", "bob")));
    assertFalse(on(() -> log.revoke("secret", "bob")), "not twice");
    assertFalse(on(() -> log.revoke("secret", "nobody")));
    assertFalse(on(() -> log.revoke("no-room", "alice")));
    assertEquals(Map.of("alice", MessageLog.Access.OWNER), on(() -> log.accessList("secret")));
    assertTrue(on(() -> log.revoke("secret", "alice")), "the owner too");
    assertEquals(Map.of(), on(() -> log.accessList("secret")));
    assertEquals("alice", on(() -> log.room("secret")).owner(), "the record keeps its owner");
  }

  @Test
  void access_of_a_nick_maps_the_rooms_it_has_access_to_only() {
    on(() -> log.createRoom("lobby", 100));
    on(() -> log.createRoom("owned", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.createRoom("invited", 100, RoomKind.PRIVATE, List.of("bob")));
    on(() -> log.grant("invited", "alice", MessageLog.Access.INVITED));
    on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, List.of("bob", "alice")));
    on(() -> log.createRoom("others", 100, RoomKind.PRIVATE, List.of("bob")));
    assertEquals(Map.of("owned", MessageLog.Access.OWNER, "invited", MessageLog.Access.INVITED, "dm",
            MessageLog.Access.MEMBER),
        on(() -> log.accessOf("alice", List.of("lobby", "owned", "invited", "dm", "others", "no-room"))));
    assertEquals(Map.of("dm", MessageLog.Access.MEMBER), on(() -> log.accessOf("alice", List.of("dm"))));
    assertEquals(Map.of(), on(() -> log.accessOf("alice", List.of())));
    assertEquals(Map.of(), on(() -> log.accessOf("dave", List.of("owned", "dm"))));
  }

  @Test
  void access_of_many_rooms_at_once() {
    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      rooms.add("room-" + i);
    }
    on(() -> {
      List<Future<MessageLog.Access>> all = new ArrayList<>();
      for (int i = 0; i < rooms.size(); i += 3) {
        all.add(log.grant(rooms.get(i), "alice", MessageLog.Access.MEMBER));
        all.add(log.markRead(rooms.get(i), "alice", i).map(marker -> null));
      }
      return Future.all(all);
    });
    Map<String, MessageLog.Access> access = on(() -> log.accessOf("alice", rooms));
    assertEquals(400, access.size());
    assertEquals(MessageLog.Access.MEMBER, access.get("room-1197"));
    Map<String, Long> markers = on(() -> log.readMarkers("alice", rooms));
    assertEquals(400, markers.size());
    assertEquals(1197L, markers.get("room-1197"));
  }

  @Test
  void a_read_marker_never_moves_backwards() {
    on(() -> log.createRoom("a", 100));
    assertEquals(5L, on(() -> log.markRead("a", "alice", 5)));
    assertEquals(9L, on(() -> log.markRead("a", "alice", 9)));
    assertEquals(9L, on(() -> log.markRead("a", "alice", 3)), "the larger stays");
    assertEquals(9L, on(() -> log.markRead("a", "alice", 9)));
    assertEquals(Map.of("a", 9L), on(() -> log.readMarkers("alice", List.of("a"))));
    List<Long> markers = on(() -> {
      List<Future<Long>> all = new ArrayList<>();
      for (long id = 20; id > 10; id--) {
        all.add(log.markRead("a", "alice", id));
      }
      return Future.all(all).map(done -> all.stream().map(Future::result).toList());
    });
    assertTrue(markers.stream().allMatch(marker -> marker == 20L), "at once, too: " + markers);
    assertEquals(Map.of("a", 20L), on(() -> log.readMarkers("alice", List.of("a"))));
  }

  @Test
  void read_markers_map_each_room_a_nick_has_read_in() {
    on(() -> log.createRoom("a", 100));
    on(() -> log.createRoom("b", 100));
    on(() -> log.createRoom("c", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.markRead("a", "alice", 4));
    on(() -> log.markRead("c", "alice", 7));
    on(() -> log.markRead("a", "bob", 2));
    assertEquals(Map.of("a", 4L, "c", 7L), on(() -> log.readMarkers("alice", List.of("a", "b", "c", "no-room"))));
    assertEquals(Map.of("a", 2L), on(() -> log.readMarkers("bob", List.of("a", "b", "c"))));
    assertEquals(Map.of(), on(() -> log.readMarkers("carol", List.of("a", "b"))), "nothing read");
    assertEquals(Map.of(), on(() -> log.readMarkers("alice", List.of())));
  }

  @Test
  void a_restart_keeps_kinds_owners_access_lists_and_read_markers() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED));
    on(() -> log.markRead("secret", "alice", 3));
    on(() -> log.close());
    log = on(this::reopen);
    if (log == null) {
      log = on(this::open);
      return; // a memory store: nothing to keep
    }
    RoomRecord secret = on(() -> log.room("secret"));
    assertEquals(RoomKind.PRIVATE, secret.kind());
    assertEquals("alice", secret.owner());
    assertEquals(RoomKind.DIRECT, on(() -> log.room("dm")).kind());
    assertEquals(Map.of("alice", MessageLog.Access.OWNER, "bob", MessageLog.Access.INVITED),
        on(() -> log.accessList("secret")));
    assertEquals(Map.of("secret", MessageLog.Access.OWNER, "dm", MessageLog.Access.MEMBER),
        on(() -> log.accessOf("alice", List.of("secret", "dm"))));
    assertEquals(Map.of("secret", 3L), on(() -> log.readMarkers("alice", List.of("secret", "dm"))));
    assertEquals(List.of("dm", "secret"), names(on(() -> log.rooms("alice", null, 100))));
  }

  @Test
  void sends_to_a_private_room_keep_its_kind_and_owner() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    stored(on(() -> log.append("secret", "alice", "hi", null, System.currentTimeMillis())));
    RoomRecord record = on(() -> log.room("secret"));
    assertEquals(1L, record.lastId());
    assertEquals(RoomKind.PRIVATE, record.kind());
    assertEquals("alice", record.owner());
  }

  // ---- changes to a room: edits, deletions, reactions, standings ---------------------------------------------------

  private static final long T = 1_000_000;
  private static final long WINDOW_MS = 900_000;
  private static final RoomChange.Rules MEMBER = new RoomChange.Rules(false, WINDOW_MS, 20, 5);
  private static final RoomChange.Rules MODERATOR = new RoomChange.Rules(true, WINDOW_MS, 20, 5);

  private MessageLog.Changed change(String room, RoomChange change) {
    return on(() -> log.change(room, change));
  }

  /** The code {@code change} is refused with. */
  private ErrorCode refused(String room, RoomChange change) {
    AssertionError failed = assertThrows(AssertionError.class, () -> change(room, change), "refused: " + change);
    Throwable cause = failed.getCause() instanceof ExecutionException e ? e.getCause() : failed.getCause();
    assertTrue(cause instanceof ProtocolException, String.valueOf(cause));
    return ((ProtocolException) cause).code();
  }

  private static RoomChange react(String by, long target, String emoji, boolean on) {
    return RoomChange.reaction(by, T + 1, target, emoji, on, MEMBER);
  }

  /** A message's frame as clients get it, in room {@code a}. */
  private static JsonObject message(long id, String from, String text, long ts) {
    return new JsonObject().put("type", "message").put("room", "a").put("id", id).put("from", from)
        .put("text", text).put("ts", ts);
  }

  /** A change's frame as clients get it, in room {@code a}. */
  private static JsonObject event(String type, long id, String by, long ts) {
    return new JsonObject().put("type", type).put("room", "a").put("id", id).put("by", by).put("ts", ts);
  }

  private static JsonObject reactions(Object... emojiThenNicks) {
    JsonObject reactions = new JsonObject();
    for (int i = 0; i < emojiThenNicks.length; i += 2) {
      reactions.put((String) emojiThenNicks[i], new JsonArray(List.of((String[]) emojiThenNicks[i + 1])));
    }
    return reactions;
  }

  private List<JsonObject> frames(MessageLog.Slice slice) {
    return slice.messages().stream().map(ChatMessage::toJson).toList();
  }

  /** Every read of room {@code a} shows {@code expected}: history, resume from 0, the fan-out's gap fill. */
  private void assertReadsShow(List<JsonObject> expected) {
    long last = expected.get(expected.size() - 1).getLong("id");
    assertEquals(expected, frames(on(() -> log.before("a", null, 100))), "history");
    assertEquals(expected, frames(on(() -> log.after("a", 0, 100))), "since 0");
    assertEquals(expected, frames(on(() -> log.between("a", 1, last))), "between");
    assertEquals(last, on(() -> log.lastId("a")));
  }

  @Test
  void an_edit_is_the_rooms_next_event_and_reads_show_the_message_edited() {
    on(() -> log.createRoom("a", 100));
    stored(on(() -> log.append("a", "alice", "helo", "c1", T)));
    stored(on(() -> log.append("a", "bob", "hi", null, T + 1)));
    MessageLog.Changed changed = change("a", RoomChange.edit("alice", T + 2, 1, "hello", MEMBER));
    JsonObject edited = message(1, "alice", "hello", T).put("cid", "c1").put("edited", true);
    JsonObject edit = event("edit", 3, "alice", T + 2).put("text", "hello").put("target", 1);
    assertEquals(edit, changed.event().toJson());
    assertEquals(edited, changed.target().toJson());
    assertReadsShow(List.of(edited, message(2, "bob", "hi", T + 1), edit));
    assertEquals(List.of(edit), frames(on(() -> log.after("a", 2, 100))), "a client that resumes gets the edit");
    assertEquals(3L, on(() -> log.room("a")).lastId());
    assertEquals(4, stored(on(() -> log.append("a", "bob", "next", null, T + 3))).id(), "sends go on after it");
    assertTrue(on(() -> log.append("a", "alice", "helo", "c1", T + 4)) instanceof Appended.Repeated,
        "its cid still stands");
  }

  @Test
  void a_deletion_shows_the_message_deleted_without_text_and_empties_its_earlier_edits() {
    on(() -> log.createRoom("a", 100));
    stored(on(() -> log.append("a", "alice", "secret", null, T)));
    change("a", RoomChange.edit("alice", T + 1, 1, "still secret", MEMBER));
    stored(on(() -> log.append("a", "bob", "hi", null, T + 2)));
    change("a", react("bob", 1, "👍", true));
    long late = T + 100 * WINDOW_MS;
    MessageLog.Changed changed = change("a", RoomChange.delete("mod", late, 1, MODERATOR));
    JsonObject deleted = message(1, "alice", "x", T).put("deleted", true);
    deleted.remove("text");
    JsonObject delete = event("delete", 5, "mod", late).put("target", 1);
    assertEquals(delete, changed.event().toJson());
    assertEquals(deleted, changed.target().toJson());
    assertReadsShow(List.of(deleted, event("edit", 2, "alice", T + 1).put("target", 1), message(3, "bob", "hi", T + 2),
        event("reaction", 4, "bob", T + 1).put("target", 1).put("emoji", "👍").put("on", true)
            .put("reactions", reactions("👍", new String[] {"bob"})), delete));
    for (RoomChange again : List.of(RoomChange.edit("alice", late, 1, "back", MODERATOR),
        RoomChange.delete("mod", late, 1, MODERATOR), react("bob", 1, "🎉", true))) {
      assertEquals(ErrorCode.NOT_FOUND, refused("a", again), "a deleted message: " + again.kind());
    }
    assertEquals(5L, on(() -> log.lastId("a")));
  }

  @Test
  void reactions_show_in_the_message_emoji_to_nicks_in_the_order_they_came() {
    on(() -> log.createRoom("a", 100));
    stored(on(() -> log.append("a", "alice", "hello", null, T)));
    change("a", react("bob", 1, "👍", true));
    change("a", react("carol", 1, "🎉", true));
    change("a", react("carol", 1, "👍", true));
    change("a", react("bob", 1, "🎉", true));
    MessageLog.Changed again = change("a", react("bob", 1, "👍", true));
    MessageLog.Changed notThere = change("a", react("alice", 1, "🎉", false));
    MessageLog.Changed off = change("a", react("carol", 1, "👍", false));
    assertEquals(List.of(6L, 7L, 8L), List.of(again.event().id(), notThere.event().id(), off.event().id()),
        "each an event, even one that changes nothing");
    JsonObject both = reactions("👍", new String[] {"bob", "carol"}, "🎉", new String[] {"carol", "bob"});
    assertEquals(both, again.event().toJson().getJsonObject("reactions"));
    assertEquals(both, notThere.event().toJson().getJsonObject("reactions"));
    JsonObject now = reactions("👍", new String[] {"bob"}, "🎉", new String[] {"carol", "bob"});
    assertEquals(event("reaction", 8, "carol", T + 1).put("target", 1).put("emoji", "👍").put("on", false)
        .put("reactions", now), off.event().toJson());
    List<JsonObject> read = frames(on(() -> log.after("a", 0, 100)));
    assertEquals(8, read.size());
    assertEquals(message(1, "alice", "hello", T).put("reactions", now), read.get(0));
    assertEquals(List.of("👍", "🎉"), List.copyOf(read.get(0).getJsonObject("reactions").fieldNames()),
        "emoji in the order they came");
    assertEquals(off.event().toJson(), read.get(7));
    change("a", RoomChange.edit("alice", T + 2, 1, "hello all", MEMBER));
    assertEquals(message(1, "alice", "hello all", T).put("edited", true).put("reactions", now),
        on(() -> log.between("a", 1, 1)).messages().get(0).toJson(), "an edit keeps the reactions");
  }

  @Test
  void a_refused_change_stores_nothing() {
    on(() -> log.createRoom("a", 100));
    stored(on(() -> log.append("a", "alice", "hello", null, T)));
    assertEquals(ErrorCode.NOT_FOUND, refused("a", RoomChange.edit("alice", T + 1, 99, "x", MEMBER)), "missing");
    assertEquals(ErrorCode.NOT_FOUND, refused("a", react("bob", 0, "👍", true)), "id 0");
    change("a", RoomChange.edit("alice", T + 1, 1, "fixed", MEMBER));
    for (RoomChange ofAnEvent : List.of(RoomChange.edit("alice", T + 1, 2, "x", MEMBER),
        RoomChange.delete("alice", T + 1, 2, MODERATOR), react("bob", 2, "👍", true))) {
      assertEquals(ErrorCode.NOT_FOUND, refused("a", ofAnEvent), "an event: " + ofAnEvent.kind());
    }
    assertEquals(ErrorCode.FORBIDDEN, refused("a", RoomChange.edit("bob", T + 1, 1, "mine", MODERATOR)));
    assertEquals(ErrorCode.FORBIDDEN, refused("a", RoomChange.delete("bob", T + 1, 1, MEMBER)));
    assertEquals(ErrorCode.EDIT_WINDOW_PASSED,
        refused("a", RoomChange.edit("alice", T + WINDOW_MS + 1, 1, "late", MEMBER)));
    change("a", react("bob", 1, "👍", true));
    RoomChange.Rules onePerUser = new RoomChange.Rules(false, WINDOW_MS, 20, 1);
    assertEquals(ErrorCode.TOO_MANY_REACTIONS,
        refused("a", RoomChange.reaction("bob", T + 1, 1, "🎉", true, onePerUser)));
    assertEquals(3L, on(() -> log.lastId("a")), "no id used");
    assertEquals(message(1, "alice", "fixed", T).put("edited", true).put("reactions",
        reactions("👍", new String[] {"bob"})), on(() -> log.between("a", 1, 1)).messages().get(0).toJson());
    assertEquals(4, stored(on(() -> log.append("a", "bob", "next", null, T + 2))).id());
  }

  @Test
  void standings_after_roles_bans_and_mutes_are_read_back() {
    on(() -> log.createRoom("a", 100, RoomKind.PUBLIC, List.of("alice")));
    change("a", RoomChange.role("alice", T, "bob", Standing.MODERATOR));
    change("a", RoomChange.member(RoomChange.Kind.BAN, "alice", T, "carol", 3600));
    change("a", RoomChange.member(RoomChange.Kind.MUTE, "alice", T, "dave", 600));
    change("a", RoomChange.member(RoomChange.Kind.BAN, "alice", T, "erin", 0));
    change("a", RoomChange.member(RoomChange.Kind.KICK, "alice", T, "frank", 0));
    change("a", RoomChange.member(RoomChange.Kind.MUTE, "alice", T, "gina", 0));
    Standing moderator = new Standing(Standing.MODERATOR, null, null);
    Standing carol = new Standing(null, T + 3_600_000, null);
    Standing dave = new Standing(null, null, T + 600_000);
    Standing erin = new Standing(null, 0L, null);
    assertEquals(moderator, on(() -> log.standing("a", "bob")));
    assertEquals(carol, on(() -> log.standing("a", "carol")));
    assertEquals(dave, on(() -> log.standing("a", "dave")));
    assertEquals(erin, on(() -> log.standing("a", "erin")), "for good");
    assertEquals(Standing.NONE, on(() -> log.standing("a", "frank")), "a kick keeps nothing");
    assertEquals(Standing.NONE, on(() -> log.standing("a", "gina")), "a lifted mute keeps nothing");
    assertEquals(Map.of("bob", moderator, "carol", carol, "dave", dave, "erin", erin),
        on(() -> log.standings("a")));
    on(() -> log.createRoom("b", 100));
    assertEquals(Standing.NONE, on(() -> log.standing("b", "bob")), "per room");
    assertEquals(Map.of(), on(() -> log.standings("b")));

    change("a", RoomChange.member(RoomChange.Kind.BAN, "alice", T, "bob", 60));
    assertEquals(new Standing(null, T + 60_000, null), on(() -> log.standing("a", "bob")),
        "a banned moderator is a moderator no more");
    change("a", RoomChange.member(RoomChange.Kind.UNBAN, "bob", T, "carol", 0));
    change("a", RoomChange.member(RoomChange.Kind.MUTE, "alice", T, "erin", 60));
    assertEquals(Map.of("bob", new Standing(null, T + 60_000, null), "dave", dave,
        "erin", new Standing(null, 0L, T + 60_000)), on(() -> log.standings("a")));

    List<JsonObject> read = frames(on(() -> log.after("a", 0, 100)));
    assertEquals(9, read.size(), "each a room event");
    assertEquals(event("role", 1, "alice", T).put("nick", "bob").put("role", "moderator"), read.get(0));
    assertEquals(event("ban", 2, "alice", T).put("nick", "carol").put("seconds", 3600).put("until", T + 3_600_000),
        read.get(1));
    assertEquals(event("ban", 4, "alice", T).put("nick", "erin").put("seconds", 0), read.get(3));
    assertEquals(event("kick", 5, "alice", T).put("nick", "frank"), read.get(4));
    assertEquals(event("unban", 8, "bob", T).put("nick", "carol"), read.get(7));
    assertEquals(10, stored(on(() -> log.append("a", "alice", "hi", null, T))).id());
  }

  @Test
  void changes_and_sends_made_at_once_each_get_their_own_id() {
    on(() -> log.createRoom("a", 100));
    stored(on(() -> log.append("a", "alice", "hello", null, T)));
    List<Long> ids = on(() -> {
      List<Future<Long>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(log.append("a", "bob", "m" + i, "c" + i, T + i).map(appended -> stored(appended).id()));
        all.add(log.change("a", react("n" + i, 1, "👍", true)).map(changed -> changed.event().id()));
      }
      return Future.all(all).map(done -> all.stream().map(Future::result).toList());
    });
    assertEquals(80, ids.stream().distinct().count(), "no id twice: " + ids);
    assertEquals(List.of(2L, 81L), List.of(ids.stream().min(Long::compare).get(), ids.stream().max(Long::compare).get()));
    assertEquals(81, on(() -> log.between("a", 1, 81)).messages().size());
    JsonArray nicks = on(() -> log.between("a", 1, 1)).messages().get(0).extra().getJsonObject("reactions")
        .getJsonArray("👍");
    assertEquals(40, nicks.size(), "no reaction lost: " + nicks);
  }

  @Test
  void a_restart_keeps_changes_and_standings() {
    on(() -> log.createRoom("a", 100, RoomKind.PUBLIC, List.of("alice")));
    stored(on(() -> log.append("a", "alice", "hello", null, T)));
    change("a", RoomChange.edit("alice", T + 1, 1, "hello all", MEMBER));
    stored(on(() -> log.append("a", "bob", "oops", null, T + 2)));
    change("a", RoomChange.delete("bob", T + 3, 3, MEMBER));
    change("a", react("carol", 1, "👍", true));
    change("a", RoomChange.role("alice", T, "bob", Standing.MODERATOR));
    change("a", RoomChange.member(RoomChange.Kind.BAN, "alice", T, "carol", 0));
    List<JsonObject> before = frames(on(() -> log.after("a", 0, 100)));
    Map<String, Standing> standings = on(() -> log.standings("a"));
    assertEquals(2, standings.size());
    on(() -> log.close());
    log = on(this::reopen);
    if (log == null) {
      log = on(this::open);
      return; // a memory store: nothing to keep
    }
    assertEquals(before, frames(on(() -> log.after("a", 0, 100))));
    assertEquals(standings, on(() -> log.standings("a")));
    assertEquals(8, change("a", react("dave", 1, "🎉", true)).event().id(), "the next id, after a restart");
    assertEquals(reactions("👍", new String[] {"carol"}, "🎉", new String[] {"dave"}),
        on(() -> log.between("a", 1, 1)).messages().get(0).extra().getJsonObject("reactions"));
    assertEquals(9, stored(on(() -> log.append("a", "alice", "hi", null, T + 4))).id());
  }
}
