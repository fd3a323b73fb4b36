package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.sql.SqliteStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache in front of a durable store (SQLite here) against the contract; and what it answers while the store is
 * down ({@link #down}: every request of the store fails with {@code unavailable}).
 */
class CachedMessageLogTest extends MessageLogContract {

  @TempDir
  Path dataDir;
  private volatile boolean down;

  @Override
  protected Future<MessageLog> open() {
    return SqliteStore.open(vertx, dataDir, true, 100, 10_000)
        .map(store -> new CachedMessageLog(vertx, outage(store), 500, 60_000, 1000));
  }

  @Override
  protected Future<MessageLog> reopen() {
    return open();
  }

  /** {@code store}, failing with {@code unavailable} while {@link #down} (but closing). */
  private MessageLog outage(MessageLog store) {
    return (MessageLog) Proxy.newProxyInstance(MessageLog.class.getClassLoader(), new Class<?>[] {MessageLog.class},
        (proxy, method, args) -> {
          if (down && method.getReturnType() == Future.class && !method.getName().equals("close")) {
            return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "down for the test"));
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private void assertUnavailable(Runnable call) {
    AssertionError failed = assertThrows(AssertionError.class, call::run);
    assertTrue(String.valueOf(failed.getCause()).contains("down for the test"), String.valueOf(failed.getCause()));
  }

  @Test
  void while_the_store_is_down_a_cached_room_keeps_its_kind_and_owner() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
    on(() -> log.createRoom("dm", 100, RoomKind.DIRECT, List.of("alice", "bob")));
    on(() -> log.createRoom("lobby", 100));
    on(() -> log.append("secret", "alice", "hi", null, System.currentTimeMillis()));
    down = true;
    try {
      RoomRecord secret = on(() -> log.room("secret"));
      assertEquals(RoomKind.PRIVATE, secret.kind());
      assertEquals("alice", secret.owner());
      assertEquals(1L, secret.lastId(), "with the newest id this node stored");
      RoomRecord again = on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, List.of("alice")));
      assertEquals(secret, again);
      assertEquals(RoomKind.DIRECT, on(() -> log.createRoom("dm", 100)).kind());
      assertEquals(RoomKind.PUBLIC, on(() -> log.room("lobby")).kind());
      // Access lists and markers are not cached: unavailable, as the store answers.
      assertUnavailable(() -> on(() -> log.access("secret", "alice")));
      assertUnavailable(() -> on(() -> log.grant("secret", "bob", MessageLog.Access.INVITED)));
      assertUnavailable(() -> on(() -> log.markRead("secret", "alice", 1)));
      assertUnavailable(() -> on(() -> log.rooms("alice", null, 10)));
    } finally {
      down = false;
    }
    assertEquals(MessageLog.Access.OWNER, on(() -> log.access("secret", "alice")));
  }

  private List<JsonObject> frames(MessageLog.Slice slice) {
    return slice.messages().stream().map(ChatMessage::toJson).toList();
  }

  /** What the cache holds follows each change: while the store is down, reads show the messages as they are now. */
  @Test
  void while_the_store_is_down_cached_messages_show_their_changes() {
    RoomChange.Rules rules = new RoomChange.Rules(false, 900_000, 20, 5);
    long t = System.currentTimeMillis();
    on(() -> log.createRoom("a", 100));
    on(() -> log.append("a", "alice", "secret", null, t));
    on(() -> log.change("a", RoomChange.edit("alice", t + 1, 1, "still secret", rules)));
    on(() -> log.append("a", "bob", "hi", null, t + 2));
    on(() -> log.change("a", RoomChange.reaction("alice", t + 3, 3, "👍", true, rules)));
    on(() -> log.change("a", RoomChange.delete("alice", t + 4, 1, rules)));
    List<JsonObject> stored = frames(on(() -> log.after("a", 0, 100)));
    assertEquals(5, stored.size());
    down = true;
    try {
      assertEquals(stored, frames(on(() -> log.after("a", 0, 100))), "as the store has them");
      assertEquals(stored, frames(on(() -> log.before("a", null, 100))));
      assertEquals(5L, on(() -> log.lastId("a")));
      assertUnavailable(() -> on(() -> log.change("a", RoomChange.edit("bob", t + 5, 3, "x", rules))));
      assertUnavailable(() -> on(() -> log.standing("a", "bob")));
      assertEquals(stored, frames(on(() -> log.after("a", 0, 100))), "a change that failed changed nothing");
    } finally {
      down = false;
    }
  }
}
