package io.parley.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;

/**
 * The outbox of the embedded storage: {@code DATA_DIR/webhooks.db}, a SQLite file of its own, so that queueing a
 * webhook never waits for the messages' writer nor the other way round. One connection on one worker thread: every
 * call is serialized there, in the order made.
 */
final class SqliteOutbox implements WebhookOutbox {

  private static final String SCHEMA = "CREATE TABLE IF NOT EXISTS webhook_outbox ("
      + "seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, body TEXT NOT NULL, "
      + "attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0, lease_until INTEGER NOT NULL DEFAULT 0)";
  private static final String INDEX = "CREATE INDEX IF NOT EXISTS webhook_outbox_room ON webhook_outbox (room, seq)";
  /** The oldest event of each room, if it is due and free; oldest rooms first. */
  private static final String HEADS = "SELECT o.seq, o.body, o.attempts FROM webhook_outbox o "
      + "JOIN (SELECT MIN(seq) AS seq FROM webhook_outbox GROUP BY room) h ON h.seq = o.seq "
      + "WHERE o.next_at <= ? AND o.lease_until <= ? ORDER BY o.seq LIMIT ?";

  private static final java.util.concurrent.atomic.AtomicInteger POOLS = new java.util.concurrent.atomic.AtomicInteger();

  private final WorkerExecutor worker;
  private final Connection db;
  private volatile boolean closed;

  private SqliteOutbox(WorkerExecutor worker, Connection db) {
    this.worker = worker;
    this.db = db;
  }

  static Future<WebhookOutbox> open(Vertx vertx, Path dataDir, boolean syncEveryCommit) {
    Path file = dataDir.resolve("webhooks.db");
    // A pool of its own (shared executors are shared by name): a node that restarts on the same file must not get
    // the pool its predecessor is closing.
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("parley-webhooks-" + POOLS.incrementAndGet(), 1, 1,
        TimeUnit.MINUTES);
    return worker.<WebhookOutbox>executeBlocking(() -> {
      Files.createDirectories(dataDir);
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(syncEveryCommit ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
      config.setBusyTimeout(5000);
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      try (Statement statement = db.createStatement()) {
        statement.execute(SCHEMA);
        statement.execute(INDEX);
      }
      db.setAutoCommit(false);
      return new SqliteOutbox(worker, db);
    }, true).onFailure(failure -> worker.close());
  }

  @Override
  public Future<Void> add(List<WebhookEvent> events) {
    return transaction(() -> {
      try (PreparedStatement insert = db.prepareStatement("INSERT INTO webhook_outbox (room, body) VALUES (?, ?)")) {
        for (WebhookEvent event : events) {
          insert.setString(1, event.room());
          insert.setString(2, event.toJson().encode());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Future<List<Queued>> claim(int rooms, long now, long leaseUntil) {
    return transaction(() -> {
      List<Queued> claimed = new ArrayList<>();
      try (PreparedStatement heads = db.prepareStatement(HEADS)) {
        heads.setLong(1, now);
        heads.setLong(2, now);
        heads.setInt(3, rooms);
        try (ResultSet rows = heads.executeQuery()) {
          while (rows.next()) {
            claimed.add(new Queued(rows.getLong(1), WebhookEvent.fromJson(new JsonObject(rows.getString(2))),
                rows.getInt(3) + 1));
          }
        }
      }
      try (PreparedStatement lease = db.prepareStatement(
          "UPDATE webhook_outbox SET lease_until = ?, attempts = attempts + 1 WHERE seq = ?")) {
        for (Queued queued : claimed) {
          lease.setLong(1, leaseUntil);
          lease.setLong(2, queued.seq());
          lease.addBatch();
        }
        lease.executeBatch();
      }
      return claimed;
    });
  }

  @Override
  public Future<Void> delivered(Queued queued) {
    return transaction(() -> {
      try (PreparedStatement delete = db.prepareStatement("DELETE FROM webhook_outbox WHERE seq = ?")) {
        delete.setLong(1, queued.seq());
        delete.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Future<Void> retryAt(Queued queued, long at) {
    return transaction(() -> {
      try (PreparedStatement retry = db.prepareStatement(
          "UPDATE webhook_outbox SET next_at = ?, lease_until = 0 WHERE seq = ?")) {
        retry.setLong(1, at);
        retry.setLong(2, queued.seq());
        retry.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Future<Long> size() {
    return worker.executeBlocking(() -> {
      try (Statement count = db.createStatement(); ResultSet row = count.executeQuery(
          "SELECT COUNT(*) FROM webhook_outbox")) {
        row.next();
        return row.getLong(1);
      }
    }, true);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return worker.<Void>executeBlocking(() -> {
      db.close();
      return null;
    }, true).eventually(worker::close);
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> Future<T> transaction(Work<T> work) {
    if (closed) {
      return Future.failedFuture("the webhook outbox is closed");
    }
    return worker.executeBlocking(() -> {
      try {
        T result = work.run();
        db.commit();
        return result;
      } catch (SQLException e) {
        db.rollback();
        throw e;
      }
    }, true);
  }
}
