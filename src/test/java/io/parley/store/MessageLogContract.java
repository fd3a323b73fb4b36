package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
}
