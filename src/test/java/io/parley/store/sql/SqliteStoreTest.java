package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.MessageLog;
import io.parley.store.MessageLogContract;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite in a temporary DATA_DIR against the contract; its schema's versions. */
class SqliteStoreTest extends MessageLogContract {

  @TempDir
  Path dataDir;

  @Override
  protected Future<MessageLog> open() {
    return SqliteStore.open(vertx, dataDir, true, 100, 10_000).map(store -> store);
  }

  @Override
  protected Future<MessageLog> reopen() {
    return open();
  }

  @Test
  void a_database_with_a_newer_schema_is_refused() throws Exception {
    on(() -> log.close());
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteStore.FILE))) {
      db.createStatement().execute("INSERT INTO parley_schema (version, description, applied) VALUES (99, 'x', 0)");
    }
    AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> on(this::open));
    assertTrue(String.valueOf(refused.getCause()).contains("schema is version 99"), String.valueOf(refused.getCause()));
    log = on(() -> Future.succeededFuture(new io.parley.store.MemoryMessageLog(1, 1))); // for the tear-down
  }

  @Test
  void an_empty_folder_is_migrated_to_the_latest_schema() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteStore.FILE));
        var rs = db.createStatement().executeQuery("SELECT MAX(version) FROM parley_schema")) {
      rs.next();
      org.junit.jupiter.api.Assertions.assertEquals(Migrations.latest(), rs.getInt(1));
    }
  }
}
