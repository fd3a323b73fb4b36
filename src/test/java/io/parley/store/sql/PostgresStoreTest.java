package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.MessageLog;
import io.parley.store.MessageLogContract;
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
}
