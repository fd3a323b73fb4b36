package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.MessageLog;
import io.parley.store.MessageLogContract;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.support.Postgres;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

/** PostgreSQL (a fresh database on the tests' server) against the contract; its schema's versions. */
class PostgresStoreTest extends MessageLogContract {

  private String url;

  @Override
  protected Future<MessageLog> open() {
    if (url == null) {
      url = Postgres.server().freshDatabase();
    }
    return PostgresStore.open(vertx, url, 4, 2000, 100, 10_000).map(store -> store);
  }

  @Override
  protected Future<MessageLog> reopen() {
    return open();
  }

  private Object sql(String statement) {
    Pool pool = PgBuilder.pool().connectingTo(url).using(vertx).build();
    try {
      return pool.query(statement).execute().await().iterator().next().getValue(0);
    } finally {
      pool.close().await();
    }
  }

  @Test
  void an_empty_database_is_migrated_to_the_latest_schema() {
    assertEquals(Migrations.latest(), ((Number) sql("SELECT MAX(version) FROM parley_schema")).intValue());
  }

  @Test
  void a_database_with_a_newer_schema_is_refused() {
    on(() -> log.close());
    sql("INSERT INTO parley_schema (version, description, applied) VALUES (99, 'x', 0) RETURNING version");
    AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> on(this::open));
    assertTrue(String.valueOf(refused.getCause()).contains("schema is version 99"), String.valueOf(refused.getCause()));
    log = on(() -> Future.succeededFuture(new io.parley.store.MemoryMessageLog(1, 1)));
  }

  @Test
  void two_nodes_appending_to_one_room_never_share_an_id() {
    on(() -> log.createRoom("shared", 100));
    MessageLog other = on(this::open); // another node's store on the same database
    try {
      java.util.List<Future<io.parley.store.Appended>> sent = on(() -> {
        java.util.List<Future<io.parley.store.Appended>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
          all.add((i % 2 == 0 ? log : other).append("shared", "n" + (i % 2), "m" + i, "c" + i, i));
        }
        return Future.succeededFuture(all);
      });
      java.util.Set<Long> ids = new java.util.TreeSet<>();
      for (Future<io.parley.store.Appended> f : sent) {
        ids.add(((io.parley.store.Appended.Stored) f.toCompletionStage().toCompletableFuture().join()).message().id());
      }
      assertEquals(200, ids.size(), "no id given twice");
      assertEquals(200L, ((java.util.TreeSet<Long>) ids).last(), "and none skipped");
    } finally {
      on(other::close);
    }
  }

  /** A database of version 1 (rooms without kinds) is upgraded at start: its rooms are public, without owner. */
  @Test
  void a_version_1_database_is_migrated_and_its_rooms_stay_public() {
    String old = Postgres.server().freshDatabase();
    Pool pool = PgBuilder.pool().connectingTo(old).using(vertx).build();
    try {
      pool.query(Migrations.VERSION_TABLE).execute().await();
      for (String sql : Migrations.ALL.get(0).statements("postgresql")) {
        pool.query(sql).execute().await();
      }
      pool.query("INSERT INTO parley_schema (version, description, applied) VALUES (1, 'rooms and messages', 0)")
          .execute().await();
      pool.query("INSERT INTO rooms (name, epoch, created, last_id, last_active) VALUES ('old', 'e1', 1, 7, 2)")
          .execute().await();
    } finally {
      pool.close().await();
    }
    MessageLog upgraded = on(() -> PostgresStore.open(vertx, old, 2, 2000, 100, 10_000).map(store -> store));
    try {
      RoomRecord room = on(() -> upgraded.room("old"));
      assertEquals(new RoomRecord("old", "e1", 1, 7, 2, RoomKind.PUBLIC, null), room);
      assertEquals(java.util.List.of(room), on(() -> upgraded.rooms(null, 10)));
      assertEquals(java.util.Map.of(), on(() -> upgraded.accessList("old")));
      assertEquals(5L, on(() -> upgraded.markRead("old", "alice", 5)));
    } finally {
      on(upgraded::close);
    }
  }

  /** Two nodes creating one private room at once: one record, one owner, one access list. */
  @Test
  void two_nodes_creating_one_private_room_make_one_with_one_owner() {
    MessageLog other = on(this::open);
    try {
      java.util.List<RoomRecord> records = on(() -> {
        java.util.List<Future<RoomRecord>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
          all.add((i % 2 == 0 ? log : other).createRoom("secret", 100, RoomKind.PRIVATE, java.util.List.of("n" + i)));
        }
        return Future.all(all).map(done -> all.stream().map(Future::result).toList());
      });
      assertEquals(1, records.stream().map(RoomRecord::epoch).distinct().count(), String.valueOf(records));
      String owner = records.get(0).owner();
      assertTrue(records.stream().allMatch(r -> owner.equals(r.owner())), String.valueOf(records));
      assertEquals(java.util.Map.of(owner, MessageLog.Access.OWNER), on(() -> other.accessList("secret")));
    } finally {
      on(other::close);
    }
  }

  /** Grants from two nodes at once: the highest stays, and exactly one of them found no access before. */
  @Test
  void two_nodes_granting_at_once_keep_the_highest() {
    on(() -> log.createRoom("secret", 100, RoomKind.PRIVATE, java.util.List.of("alice")));
    MessageLog other = on(this::open);
    try {
      java.util.List<MessageLog.Access> before = on(() -> {
        java.util.List<Future<MessageLog.Access>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          all.add((i % 2 == 0 ? log : other).grant("secret", "bob",
              i == 7 ? MessageLog.Access.MEMBER : MessageLog.Access.INVITED));
        }
        return Future.all(all).map(done -> all.stream().map(Future::result).toList());
      });
      assertEquals(1, before.stream().filter(java.util.Objects::isNull).count(), String.valueOf(before));
      assertEquals(MessageLog.Access.MEMBER, on(() -> log.access("secret", "bob")));
    } finally {
      on(other::close);
    }
  }
}
