package io.parley.store.sql;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Appended;
import io.parley.store.CidStore;
import io.parley.store.Epochs;
import io.parley.store.MessageLog;
import io.parley.store.RoomRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The default store: SQLite, embedded, in {@code DATA_DIR/parley.db}. SQLite because it needs no set-up and no
 * server, its file format is stable across versions (H2's changed between 1.4 and 2.x), it is the most widely
 * deployed database there is, and {@code sqlite3 parley.db ".backup copy.db"} backs it up while Parley runs.
 *
 * <p>WAL journal with {@code synchronous=FULL} (the default, {@code EMBEDDED_SYNC=full}): a transaction is on disk
 * when its commit returns, so nothing acknowledged is lost to {@code kill -9} nor to a power cut; with
 * {@code NORMAL}, the WAL is written at each commit but synced at checkpoints: {@code kill -9} loses nothing, a power
 * cut may lose the last transactions. Readers do not wait for the writer. One writer
 * thread commits in groups ({@link GroupCommit}); two reader threads each hold a connection. JDBC is blocking, so
 * every statement runs on those worker threads, never on an event loop; results come back on the caller's context.
 */
public final class SqliteStore implements MessageLog {

  public static final String FILE = "parley.db";
  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
  private static final String MESSAGE_COLUMNS = "id, sender, text, ts, cid";
  private static final long CHECKPOINT_MS = 1000;

  private final Path file;
  private final WorkerExecutor writer;
  private final WorkerExecutor readers;
  private final ThreadLocal<Connection> readerConnection = new ThreadLocal<>();
  private final List<Connection> connections = Collections.synchronizedList(new ArrayList<>());
  private final GroupCommit commits;
  private final Vertx vertx;
  private Connection writerConnection; // used on the writer thread only
  private volatile boolean available = true;
  private long checkpoints = -1;

  private final boolean syncEveryCommit;

  private SqliteStore(Vertx vertx, Path file, boolean syncEveryCommit, int batchMax, int queueMax) {
    this.vertx = vertx;
    this.syncEveryCommit = syncEveryCommit;
    this.file = file;
    this.writer = vertx.createSharedWorkerExecutor("parley-sqlite-writer-" + file.hashCode(), 1, 1, TimeUnit.MINUTES);
    this.readers = vertx.createSharedWorkerExecutor("parley-sqlite-readers-" + file.hashCode(), 2, 1, TimeUnit.MINUTES);
    this.commits = new GroupCommit((ContextInternal) vertx.getOrCreateContext(), this::commit, batchMax, queueMax);
  }

  /**
   * Opens (creating {@code dataDir} and the file if missing) and migrates; call on the chat verticle's context.
   * {@code syncEveryCommit}: {@code synchronous=FULL} ({@code EMBEDDED_SYNC=full}), else {@code NORMAL}.
   */
  public static Future<SqliteStore> open(Vertx vertx, Path dataDir, boolean syncEveryCommit, int batchMax,
      int queueMax) {
    SqliteStore store = new SqliteStore(vertx, dataDir.resolve(FILE), syncEveryCommit, batchMax, queueMax);
    return store.onWriter(() -> {
      Files.createDirectories(dataDir);
      store.writerConnection = store.connect(false);
      store.migrate();
      // Checkpoints (copying the WAL into the database file, with an fsync) run beside the writer, not in one of
      // its commits, where they would stall every send waiting on it.
      try (Statement statement = store.writerConnection.createStatement()) {
        statement.execute("PRAGMA wal_autocheckpoint=0");
      }
      store.writerConnection.commit();
      log.info("storage: SQLite at {}", store.file.toAbsolutePath());
      return store;
    }).onSuccess(opened -> opened.checkpoints = vertx.setPeriodic(CHECKPOINT_MS, id -> opened.checkpoint()));
  }

  /** Copies what the WAL holds into the database file, as far as readers allow; on a reader thread. */
  private void checkpoint() {
    onReader(db -> {
      try (Statement statement = db.createStatement()) {
        statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
      }
      return null;
    }).onFailure(e -> log.warn("SQLite checkpoint failed: {}", e.toString()));
  }

  private Connection connect(boolean reader) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(syncEveryCommit ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(5000);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    connection.setAutoCommit(reader);
    connections.add(connection);
    return connection;
  }

  private void migrate() throws SQLException {
    Connection db = writerConnection;
    try (Statement statement = db.createStatement()) {
      statement.execute(Migrations.VERSION_TABLE);
      db.commit();
      int current;
      try (ResultSet rs = statement.executeQuery(Migrations.CURRENT_VERSION)) {
        current = rs.next() ? rs.getInt(1) : 0;
      }
      for (Migrations.Migration migration : Migrations.pending(current)) {
        for (String sql : migration.statements("sqlite")) {
          statement.execute(sql);
        }
        try (PreparedStatement applied = db.prepareStatement(
            "INSERT INTO parley_schema (version, description, applied) VALUES (?, ?, ?)")) {
          applied.setInt(1, migration.version());
          applied.setString(2, Migrations.describe(migration));
          applied.setLong(3, System.currentTimeMillis());
          applied.executeUpdate();
        }
        db.commit();
        log.info("database schema migrated to version {} ({})", migration.version(), Migrations.describe(migration));
      }
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    }
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    return commits.submit(new AppendPlan.Send(room, from, text, cid, ts));
  }

  /** One transaction for a batch, on the writer thread. */
  private Future<List<Appended>> commit(List<AppendPlan.Send> batch) {
    return onWriter(() -> {
      try {
        Writes writes = writes();
        Map<String, Long> lastIds = new HashMap<>();
        for (AppendPlan.Send send : batch) {
          if (!lastIds.containsKey(send.room())) {
            lastIds.put(send.room(), writes.lastId(send.room()));
          }
        }
        AppendPlan plan = AppendPlan.of(batch, lastIds, writes.storedCids(batch));
        writes.insert(plan.inserts());
        writes.advance(plan.lastIds(), plan.lastActive());
        writerConnection.commit();
        writes.committed(plan.lastIds());
        return plan.results();
      } catch (SQLException | RuntimeException e) {
        writerConnection.rollback();
        writes().rolledBack();
        throw e;
      }
    });
  }

  private Writes writes;

  /** The writer's statements and what it knows of the rooms, made on the writer thread at its first transaction. */
  private Writes writes() throws SQLException {
    if (writes == null) {
      writes = new Writes(writerConnection);
    }
    return writes;
  }

  /**
   * The writer thread's prepared statements, and each room's last id as it committed it: this process is the file's
   * only writer, so after the first read of a room it need not read it again. Confined to the writer thread.
   */
  private static final class Writes {
    private final PreparedStatement createRoom;
    private final PreparedStatement readLastId;
    private final PreparedStatement findCid;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final Map<String, Long> lastIds = new HashMap<>();

    Writes(Connection db) throws SQLException {
      createRoom = db.prepareStatement("INSERT OR IGNORE INTO rooms (name, epoch, created, last_id, last_active) "
          + "VALUES (?, ?, ?, 0, ?)");
      readLastId = db.prepareStatement("SELECT last_id FROM rooms WHERE name = ?");
      findCid = db.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room = ? AND sender = ? AND cid = ?");
      insert = db.prepareStatement("INSERT INTO messages (room, id, sender, text, ts, cid) VALUES (?, ?, ?, ?, ?, ?)");
      update = db.prepareStatement("UPDATE rooms SET last_id = ?, last_active = MAX(last_active, ?) WHERE name = ?");
    }

    /** The room's last id; a room without a record gets one (a send of a room created by another writer, or lost). */
    long lastId(String room) throws SQLException {
      Long known = lastIds.get(room);
      if (known != null) {
        return known;
      }
      long now = System.currentTimeMillis();
      createRoom.setString(1, room);
      createRoom.setString(2, Epochs.next());
      createRoom.setLong(3, now);
      createRoom.setLong(4, now);
      createRoom.executeUpdate();
      readLastId.setString(1, room);
      try (ResultSet rs = readLastId.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }

    Map<String, ChatMessage> storedCids(List<AppendPlan.Send> batch) throws SQLException {
      Map<String, ChatMessage> stored = new HashMap<>();
      for (AppendPlan.Send send : batch) {
        if (send.cid() == null) {
          continue;
        }
        findCid.setString(1, send.room());
        findCid.setString(2, send.from());
        findCid.setString(3, send.cid());
        try (ResultSet rs = findCid.executeQuery()) {
          if (rs.next()) {
            stored.put(CidStore.key(send.room(), send.from(), send.cid()), message(send.room(), rs));
          }
        }
      }
      return stored;
    }

    void insert(List<ChatMessage> messages) throws SQLException {
      for (ChatMessage m : messages) {
        insert.setString(1, m.room());
        insert.setLong(2, m.id());
        insert.setString(3, m.from());
        insert.setString(4, m.text());
        insert.setLong(5, m.ts());
        insert.setString(6, m.cid());
        insert.addBatch();
      }
      insert.executeBatch();
    }

    void advance(Map<String, Long> newLastIds, Map<String, Long> lastActive) throws SQLException {
      for (Map.Entry<String, Long> room : newLastIds.entrySet()) {
        update.setLong(1, room.getValue());
        update.setLong(2, lastActive.get(room.getKey()));
        update.setString(3, room.getKey());
        update.addBatch();
      }
      update.executeBatch();
    }

    void committed(Map<String, Long> newLastIds) {
      lastIds.putAll(newLastIds);
    }

    /** What the writer knew may be what the rolled back transaction did: read it again. */
    void rolledBack() {
      lastIds.clear();
    }
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return onReader(db -> {
      long lastId = lastId(db, room);
      long below = before == null ? lastId + 1 : Math.min(before, lastId + 1);
      List<ChatMessage> newestFirst = messages(db, room, "id < ? ORDER BY id DESC LIMIT ?", below, limit);
      Collections.reverse(newestFirst);
      return new Slice(newestFirst, lastId);
    });
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    return onReader(db -> {
      long lastId = lastId(db, room); // first: every message up to it is committed, and read below
      List<ChatMessage> newestFirst = messages(db, room, "id > ? AND id <= ? ORDER BY id DESC LIMIT ?", since, lastId,
          limit);
      Collections.reverse(newestFirst);
      return new Slice(newestFirst, lastId);
    });
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return onReader(db -> {
      long newest = lastId(db, room);
      return new Slice(messages(db, room, "id >= ? AND id <= ? ORDER BY id", firstId, Math.min(lastId, newest)), newest);
    });
  }

  @Override
  public Future<Long> lastId(String room) {
    return onReader(db -> lastId(db, room));
  }

  @Override
  public Future<RoomRecord> room(String room) {
    return onReader(db -> {
      List<RoomRecord> found = roomRecords(db, "WHERE name = ?", room);
      return found.isEmpty() ? null : found.get(0);
    });
  }

  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms) {
    return onWriter(() -> {
      Connection db = writerConnection;
      try {
        long now = System.currentTimeMillis();
        try (PreparedStatement create = db.prepareStatement("INSERT OR IGNORE INTO rooms (name, epoch, created, "
            + "last_id, last_active) SELECT ?, ?, ?, 0, ? WHERE (SELECT COUNT(*) FROM rooms) < ?")) {
          create.setString(1, room);
          create.setString(2, Epochs.next());
          create.setLong(3, now);
          create.setLong(4, now);
          create.setInt(5, maxRooms);
          create.executeUpdate();
        }
        List<RoomRecord> found = roomRecords(db, "WHERE name = ?", room);
        db.commit();
        return found.isEmpty() ? null : found.get(0);
      } catch (SQLException | RuntimeException e) {
        db.rollback();
        throw e;
      }
    });
  }

  @Override
  public Future<List<RoomRecord>> rooms(String after, int limit) {
    return onReader(db -> roomRecords(db, "WHERE name > ? ORDER BY name LIMIT ?", after == null ? "" : after, limit));
  }

  /**
   * Retention, on the writer thread: by age, room by room from its oldest message (ts grows with id within a room,
   * and the ids are the table's key), then the newest {@code maxPerRoom} of each.
   */
  @Override
  public Future<Long> prune(int retentionDays, int maxPerRoom) {
    return onWriter(() -> {
      Connection db = writerConnection;
      try (PreparedStatement rooms = db.prepareStatement("SELECT name FROM rooms");
          PreparedStatement firstKept = db.prepareStatement(
              "SELECT id FROM messages WHERE room = ? AND ts >= ? ORDER BY id LIMIT 1");
          PreparedStatement byAge = db.prepareStatement("DELETE FROM messages WHERE room = ? AND id < ?");
          PreparedStatement byCount = db.prepareStatement(
              "DELETE FROM messages WHERE id <= (SELECT last_id FROM rooms WHERE name = messages.room) - ?")) {
        long deleted = 0;
        if (retentionDays > 0) {
          long cutoff = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(retentionDays);
          List<String> names = new ArrayList<>();
          try (ResultSet rs = rooms.executeQuery()) {
            while (rs.next()) {
              names.add(rs.getString(1));
            }
          }
          for (String room : names) {
            firstKept.setString(1, room);
            firstKept.setLong(2, cutoff);
            long keepFrom;
            try (ResultSet rs = firstKept.executeQuery()) {
              keepFrom = rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
            }
            byAge.setString(1, room);
            byAge.setLong(2, keepFrom);
            deleted += byAge.executeUpdate();
          }
        }
        if (maxPerRoom > 0) {
          byCount.setLong(1, maxPerRoom);
          deleted += byCount.executeUpdate();
        }
        db.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        db.rollback();
        throw e;
      }
    });
  }

  @Override
  public boolean available() {
    return available;
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(checkpoints);
    return onWriter(() -> {
      synchronized (connections) {
        for (Connection connection : connections) {
          connection.close();
        }
      }
      return null;
    }).eventually(writer::close).eventually(readers::close).mapEmpty();
  }

  private static long lastId(Connection db, String room) throws SQLException {
    try (PreparedStatement read = db.prepareStatement("SELECT last_id FROM rooms WHERE name = ?")) {
      read.setString(1, room);
      try (ResultSet rs = read.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }

  private static List<ChatMessage> messages(Connection db, String room, String where, Object... args)
      throws SQLException {
    try (PreparedStatement read = db.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room = ? AND "
        + where)) {
      read.setString(1, room);
      for (int i = 0; i < args.length; i++) {
        read.setObject(i + 2, args[i]);
      }
      List<ChatMessage> out = new ArrayList<>();
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          out.add(message(room, rs));
        }
      }
      return out;
    }
  }

  private static ChatMessage message(String room, ResultSet rs) throws SQLException {
    return new ChatMessage(room, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5));
  }

  private static List<RoomRecord> roomRecords(Connection db, String where, Object... args) throws SQLException {
    try (PreparedStatement read = db.prepareStatement(
        "SELECT name, epoch, created, last_id, last_active FROM rooms " + where)) {
      for (int i = 0; i < args.length; i++) {
        read.setObject(i + 1, args[i]);
      }
      List<RoomRecord> out = new ArrayList<>();
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          out.add(new RoomRecord(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
        }
      }
      return out;
    }
  }

  /** What a reader does with its connection. */
  private interface Read<T> {
    T apply(Connection db) throws Exception;
  }

  private <T> Future<T> onReader(Read<T> read) {
    return guarded(readers.executeBlocking(() -> {
      Connection db = readerConnection.get();
      if (db == null) {
        db = connect(true);
        readerConnection.set(db);
      }
      return read.apply(db);
    }, false));
  }

  private <T> Future<T> onWriter(Callable<T> work) {
    return guarded(writer.executeBlocking(work, true));
  }

  /** A failing database is unavailable, to the client ({@code unavailable}) and to {@code /ready}. */
  private <T> Future<T> guarded(Future<T> work) {
    return work.transform(done -> {
      if (done.succeeded()) {
        available = true;
        return Future.succeededFuture(done.result());
      }
      if (done.cause() instanceof SQLException e) {
        available = false;
        log.error("SQLite failed: {}", e.toString());
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "storage failed; try again"));
      }
      return Future.failedFuture(done.cause());
    });
  }
}
