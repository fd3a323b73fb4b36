package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.MessageLog;
import io.parley.store.MessageLogContract;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
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

  /** A database of version 1 (rooms without kinds) is upgraded at start: its rooms are public, without owner. */
  @Test
  void a_version_1_database_is_migrated_and_its_rooms_stay_public() throws Exception {
    Path old = dataDir.resolve("v1");
    java.nio.file.Files.createDirectories(old);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(SqliteStore.FILE));
        var statement = db.createStatement()) {
      statement.execute(Migrations.VERSION_TABLE);
      for (String sql : Migrations.ALL.get(0).statements("sqlite")) {
        statement.execute(sql);
      }
      statement.execute("INSERT INTO parley_schema (version, description, applied) VALUES (1, 'rooms and messages', 0)");
      statement.execute("INSERT INTO rooms (name, epoch, created, last_id, last_active) VALUES ('old', 'e1', 1, 7, 2)");
    }
    MessageLog upgraded = on(() -> SqliteStore.open(vertx, old, true, 100, 10_000).map(store -> store));
    try {
      RoomRecord room = on(() -> upgraded.room("old"));
      assertEquals(new RoomRecord("old", "e1", 1, 7, 2, RoomKind.PUBLIC, null), room);
      assertEquals(java.util.List.of(room), on(() -> upgraded.rooms(null, 10)));
      assertEquals(java.util.Map.of(), on(() -> upgraded.accessList("old")));
      assertEquals(5L, on(() -> upgraded.markRead("old", "alice", 5)));
    } finally {
      on(upgraded::close);
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(SqliteStore.FILE));
        var rs = db.createStatement().executeQuery("SELECT MAX(version) FROM parley_schema")) {
      rs.next();
      assertEquals(Migrations.latest(), rs.getInt(1));
    }
  }

  @Test
  void the_schema_refuses_unknown_kinds_and_accesses() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteStore.FILE));
        var statement = db.createStatement()) {
      org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> statement.execute(
          "INSERT INTO rooms (name, epoch, created, last_id, last_active, kind) VALUES ('x', 'e', 0, 0, 0, 'secret')"));
      org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> statement.execute(
          "INSERT INTO room_access (room, nick, access) VALUES ('x', 'alice', 'admin')"));
    }
  }
}
