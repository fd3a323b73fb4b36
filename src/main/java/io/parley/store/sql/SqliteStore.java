package io.parley.store.sql;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Appended;
import io.parley.store.CidStore;
import io.parley.store.Epochs;
import io.parley.store.MessageLog;
import io.parley.store.RoomAccess;
import io.parley.store.RoomChange;
import io.parley.store.RoomChanges;
import io.parley.store.RoomKind;
import io.parley.store.RoomRecord;
import io.parley.store.Standing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
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
  private static final String MESSAGE_COLUMNS = "id, sender, text, ts, cid, kind, extra";
  private static final long CHECKPOINT_MS = 1000;
  private static final int PRUNE_ROOMS = 200;
  private static final int IN_LIST_MAX = 500;

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
  private volatile boolean closed;

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
      store.writerConnection = store.connect();
      store.migrate();
      // Checkpoints (copying the WAL into the database file, with an fsync) run beside the writer, not in one of
      // its commits, where they would stall every send waiting on it.
      store.execute("PRAGMA wal_autocheckpoint=0");
      log.info("storage: SQLite at {}", store.file.toAbsolutePath());
      return store;
    }).onSuccess(opened -> opened.checkpoints = vertx.setPeriodic(CHECKPOINT_MS, id -> opened.checkpoint()))
        .onFailure(failure -> store.close()); // a store that did not open leaves nothing open
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

  /**
   * A connection in autocommit mode: the writer says {@code BEGIN IMMEDIATE}, {@code COMMIT} and {@code ROLLBACK}
   * itself ({@link #transaction}), so that it always knows whether a transaction is open (the driver's own
   * commit() begins the next transaction at once, and a failure there would leave it unsure).
   */
  private Connection connect() throws SQLException {
    if (closed) {
      throw new SQLException("the store is closed");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(syncEveryCommit ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(5000);
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    connections.add(connection);
    return connection;
  }

  private void execute(String sql) throws SQLException {
    try (Statement statement = writerConnection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** What a transaction does, on the writer thread. */
  private interface Work<T> {
    T run(Connection db) throws SQLException;
  }

  /** Runs {@code work} in one transaction of the writer; rolled back (and the failure thrown) if anything fails. */
  private <T> T transaction(Work<T> work) throws SQLException {
    execute("BEGIN IMMEDIATE");
    try {
      T result = work.run(writerConnection);
      execute("COMMIT");
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        execute("ROLLBACK");
      } catch (SQLException noTransaction) {
        e.addSuppressed(noTransaction); // a failed COMMIT may have ended it already
      }
      throw e;
    }
  }

  private void migrate() throws SQLException {
    execute(Migrations.VERSION_TABLE);
    int current = transaction(db -> {
      try (Statement statement = db.createStatement();
          ResultSet rs = statement.executeQuery(Migrations.CURRENT_VERSION)) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
    for (Migrations.Migration migration : Migrations.pending(current)) {
      transaction(db -> {
        try (Statement statement = db.createStatement()) {
          for (String sql : migration.statements("sqlite")) {
            statement.execute(sql);
          }
        }
        try (PreparedStatement applied = db.prepareStatement(
            "INSERT INTO parley_schema (version, description, applied) VALUES (?, ?, ?)")) {
          applied.setInt(1, migration.version());
          applied.setString(2, Migrations.describe(migration));
          applied.setLong(3, System.currentTimeMillis());
          applied.executeUpdate();
        }
        return null;
      });
      log.info("database schema migrated to version {} ({})", migration.version(), Migrations.describe(migration));
    }
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    return commits.submit(new AppendPlan.Send(room, from, text, cid, ts));
  }

  /**
   * One transaction for a batch, on the writer thread, marking the writer's health for {@code /ready}. If it fails,
   * whether it committed is read back (a COMMIT can fail after its data is on disk): a batch that is there is
   * answered as stored.
   */
  private Future<List<Appended>> commit(List<AppendPlan.Send> batch) {
    return writing(() -> {
      Writes writes = writes();
      AppendPlan[] planned = new AppendPlan[1];
      try {
        List<Appended> results = transaction(db -> {
          Map<String, Long> lastIds = new HashMap<>();
          for (AppendPlan.Send send : batch) {
            if (!lastIds.containsKey(send.room())) {
              lastIds.put(send.room(), writes.lastId(send.room()));
            }
          }
          AppendPlan plan = AppendPlan.of(batch, lastIds, writes.storedCids(batch));
          planned[0] = plan;
          writes.insert(plan.inserts());
          writes.advance(plan.lastIds(), plan.lastActive());
          return plan.results();
        });
        writes.committed(planned[0].lastIds());
        return results;
      } catch (SQLException | RuntimeException e) {
        writes.forget();
        if (planned[0] != null && writes.stored(planned[0])) {
          log.warn("a commit reported a failure, but its {} messages are stored: {}", planned[0].inserts().size(),
              e.toString());
          return planned[0].results();
        }
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
    private final PreparedStatement readLastId;
    private final PreparedStatement readMessage;
    private final PreparedStatement findCid;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final Map<String, Long> lastIds = new HashMap<>();

    Writes(Connection db) throws SQLException {
      readMessage = db.prepareStatement("SELECT sender, text FROM messages WHERE room = ? AND id = ?");
      readLastId = db.prepareStatement("SELECT last_id FROM rooms WHERE name = ?");
      findCid = db.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room = ? AND sender = ? AND cid = ?");
      insert = db.prepareStatement("INSERT INTO messages (room, id, sender, text, ts, cid) VALUES (?, ?, ?, ?, ?, ?)");
      update = db.prepareStatement("UPDATE rooms SET last_id = ?, last_active = MAX(last_active, ?) WHERE name = ?");
    }

    /** The room's last id. Sends are of rooms a join created: one without a record is a bug, not an outage. */
    long lastId(String room) throws SQLException {
      Long known = lastIds.get(room);
      if (known != null) {
        return known;
      }
      readLastId.setString(1, room);
      try (ResultSet rs = readLastId.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("room " + room + " has no record");
        }
        return rs.getLong(1);
      }
    }

    /** Whether a plan's first message is in the database: its transaction committed. */
    boolean stored(AppendPlan plan) {
      if (plan.inserts().isEmpty()) {
        return false;
      }
      ChatMessage first = plan.inserts().get(0);
      try {
        readMessage.setString(1, first.room());
        readMessage.setLong(2, first.id());
        try (ResultSet rs = readMessage.executeQuery()) {
          return rs.next() && first.from().equals(rs.getString(1)) && first.text().equals(rs.getString(2));
        }
      } catch (SQLException e) {
        return false;
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

    /** What the writer knew may be what a failed transaction did: read it again. */
    void forget() {
      lastIds.clear();
    }
  }

  /**
   * One transaction of the writer, between the group commit's batches (on the same thread, so from the same committed
   * last ids): the target's new state (and a deletion's redacted edits) or the member's standing, then the event
   * under the room's next id. A refusal of {@link RoomChanges#apply} rolls it back. If it fails, whether it committed
   * is read back, as for a batch.
   */
  @Override
  public Future<Changed> change(String room, RoomChange change) {
    return writing(() -> {
      Writes writes = writes();
      Changed[] made = new Changed[1];
      try {
        Changed changed = transaction(db -> {
          made[0] = changeIn(db, writes, room, change);
          return made[0];
        });
        writes.committed(Map.of(room, changed.event().id()));
        return changed;
      } catch (ProtocolException refused) {
        throw refused; // rolled back before anything was written: the last ids stand
      } catch (SQLException | RuntimeException e) {
        writes.forget();
        if (made[0] != null && stored(writerConnection, made[0].event())) {
          log.warn("a commit reported a failure, but its change is stored: {}", e.toString());
          return made[0];
        }
        throw e;
      }
    });
  }

  private static Changed changeIn(Connection db, Writes writes, String room, RoomChange change) throws SQLException {
    long id = writes.lastId(room) + 1;
    ChatMessage target = null;
    if (change.kind().aboutMessage()) {
      List<ChatMessage> found = messages(db, room, "id = ?", change.target());
      target = RoomChanges.apply(found.isEmpty() ? null : found.get(0), change);
      try (PreparedStatement update = db.prepareStatement(
          "UPDATE messages SET text = ?, extra = ? WHERE room = ? AND id = ?")) {
        update.setString(1, target.text());
        update.setString(2, encode(target.extra()));
        update.setString(3, room);
        update.setLong(4, target.id());
        update.executeUpdate();
      }
      if (change.kind() == RoomChange.Kind.DELETE) {
        try (PreparedStatement redact = db.prepareStatement(
            "UPDATE messages SET text = '' WHERE room = ? AND kind = 'edit' AND target = ?")) {
          redact.setString(1, room);
          redact.setLong(2, target.id());
          redact.executeUpdate();
        }
      }
    } else {
      writeStanding(db, room, change.nick(), RoomChanges.standing(readStanding(db, room, change.nick()), change));
    }
    ChatMessage event = RoomChanges.event(room, id, change, target);
    try (PreparedStatement insert = db.prepareStatement("INSERT INTO messages (room, id, sender, text, ts, cid, kind, "
        + "target, extra) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)")) {
      insert.setString(1, room);
      insert.setLong(2, event.id());
      insert.setString(3, event.from());
      insert.setString(4, event.text());
      insert.setLong(5, event.ts());
      insert.setString(6, event.kind());
      setLong(insert, 7, event.target() == 0 ? null : event.target());
      insert.setString(8, encode(event.extra()));
      insert.executeUpdate();
    }
    writes.advance(Map.of(room, id), Map.of(room, event.ts()));
    return new Changed(event, target);
  }

  /** Whether {@code event} is in the database: the transaction that wrote it committed. */
  private static boolean stored(Connection db, ChatMessage event) {
    try (PreparedStatement read = db.prepareStatement(
        "SELECT sender, kind, ts FROM messages WHERE room = ? AND id = ?")) {
      read.setString(1, event.room());
      read.setLong(2, event.id());
      try (ResultSet rs = read.executeQuery()) {
        return rs.next() && event.from().equals(rs.getString(1)) && event.kind().equals(rs.getString(2))
            && event.ts() == rs.getLong(3);
      }
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public Future<Standing> standing(String room, String nick) {
    return onReader(db -> readStanding(db, room, nick));
  }

  @Override
  public Future<Map<String, Standing>> standings(String room) {
    return onReader(db -> {
      Map<String, Standing> found = new HashMap<>();
      try (PreparedStatement read = db.prepareStatement(
          "SELECT nick, role, banned_until, muted_until FROM room_standing WHERE room = ?")) {
        read.setString(1, room);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            found.put(rs.getString(1), new Standing(rs.getString(2), getLong(rs, 3), getLong(rs, 4)));
          }
        }
      }
      return found;
    });
  }

  private static Standing readStanding(Connection db, String room, String nick) throws SQLException {
    try (PreparedStatement read = db.prepareStatement(
        "SELECT role, banned_until, muted_until FROM room_standing WHERE room = ? AND nick = ?")) {
      read.setString(1, room);
      read.setString(2, nick);
      try (ResultSet rs = read.executeQuery()) {
        return rs.next() ? new Standing(rs.getString(1), getLong(rs, 2), getLong(rs, 3)) : Standing.NONE;
      }
    }
  }

  /** Keeps {@code standing}, or deletes the row when nothing is left of it. */
  private static void writeStanding(Connection db, String room, String nick, Standing standing) throws SQLException {
    if (standing.isEmpty()) {
      try (PreparedStatement delete = db.prepareStatement("DELETE FROM room_standing WHERE room = ? AND nick = ?")) {
        delete.setString(1, room);
        delete.setString(2, nick);
        delete.executeUpdate();
      }
      return;
    }
    try (PreparedStatement write = db.prepareStatement("INSERT INTO room_standing (room, nick, role, banned_until, "
        + "muted_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (room, nick) DO UPDATE SET role = excluded.role, "
        + "banned_until = excluded.banned_until, muted_until = excluded.muted_until")) {
      write.setString(1, room);
      write.setString(2, nick);
      write.setString(3, standing.role());
      setLong(write, 4, standing.bannedUntil());
      setLong(write, 5, standing.mutedUntil());
      write.executeUpdate();
    }
  }

  private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, java.sql.Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  private static Long getLong(ResultSet rs, int index) throws SQLException {
    long value = rs.getLong(index);
    return rs.wasNull() ? null : value;
  }

  private static String encode(JsonObject extra) {
    return extra == null ? null : extra.encode();
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

  /**
   * A new room's record and access list in one transaction of the writer; the access list is the one it starts with
   * (whatever a grant to the room before it existed left there is dropped).
   */
  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members) {
    Map<String, Access> initial;
    try {
      initial = RoomAccess.initial(kind, members);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    String owner = RoomAccess.owner(kind, members);
    return writing(() -> transaction(db -> {
      long now = System.currentTimeMillis();
      int created;
      try (PreparedStatement create = db.prepareStatement("INSERT OR IGNORE INTO rooms (name, epoch, created, "
          + "last_id, last_active, kind, owner) SELECT ?, ?, ?, 0, ?, ?, ? WHERE (SELECT COUNT(*) FROM rooms) < ?")) {
        create.setString(1, room);
        create.setString(2, Epochs.next());
        create.setLong(3, now);
        create.setLong(4, now);
        create.setString(5, kind.code());
        create.setString(6, owner);
        create.setInt(7, maxRooms);
        created = create.executeUpdate();
      }
      if (created == 1) {
        try (PreparedStatement clear = db.prepareStatement("DELETE FROM room_access WHERE room = ?");
            PreparedStatement insert = db.prepareStatement(
                "INSERT INTO room_access (room, nick, access) VALUES (?, ?, ?)")) {
          clear.setString(1, room);
          clear.executeUpdate();
          for (Map.Entry<String, Access> entry : initial.entrySet()) {
            insert.setString(1, room);
            insert.setString(2, entry.getKey());
            insert.setString(3, entry.getValue().code());
            insert.executeUpdate();
          }
        }
      }
      List<RoomRecord> found = roomRecords(db, "WHERE name = ?", room);
      return found.isEmpty() ? null : found.get(0);
    }));
  }

  /** Public rooms and those {@code nick} has access to (none when null: {@code nick = NULL} is never true). */
  @Override
  public Future<List<RoomRecord>> rooms(String nick, String after, int limit) {
    return onReader(db -> roomRecords(db, "WHERE name > ? AND (kind = 'public' OR name IN "
        + "(SELECT room FROM room_access WHERE nick = ?)) ORDER BY name LIMIT ?", after == null ? "" : after, nick,
        limit));
  }

  @Override
  public Future<Access> access(String room, String nick) {
    return onReader(db -> {
      try (PreparedStatement read = db.prepareStatement("SELECT access FROM room_access WHERE room = ? AND nick = ?")) {
        read.setString(1, room);
        read.setString(2, nick);
        try (ResultSet rs = read.executeQuery()) {
          return rs.next() ? Access.fromCode(rs.getString(1)) : null;
        }
      }
    });
  }

  @Override
  public Future<Map<String, Access>> accessOf(String nick, List<String> rooms) {
    return onReader(db -> {
      Map<String, Access> found = new HashMap<>();
      forEachIn(db, "SELECT room, access FROM room_access WHERE nick = ? AND room IN ", nick, rooms,
          rs -> found.put(rs.getString(1), Access.fromCode(rs.getString(2))));
      return found;
    });
  }

  @Override
  public Future<Map<String, Access>> accessList(String room) {
    return onReader(db -> {
      Map<String, Access> found = new HashMap<>();
      try (PreparedStatement read = db.prepareStatement("SELECT nick, access FROM room_access WHERE room = ?")) {
        read.setString(1, room);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            found.put(rs.getString(1), Access.fromCode(rs.getString(2)));
          }
        }
      }
      return found;
    });
  }

  @Override
  public Future<Access> grant(String room, String nick, Access access) {
    if (access == null) {
      return Future.failedFuture(new IllegalArgumentException("no access to grant"));
    }
    return writing(() -> transaction(db -> {
      Access before;
      try (PreparedStatement read = db.prepareStatement("SELECT access FROM room_access WHERE room = ? AND nick = ?")) {
        read.setString(1, room);
        read.setString(2, nick);
        try (ResultSet rs = read.executeQuery()) {
          before = rs.next() ? Access.fromCode(rs.getString(1)) : null;
        }
      }
      Access after = RoomAccess.raised(before, access);
      if (after != before) {
        try (PreparedStatement write = db.prepareStatement("INSERT INTO room_access (room, nick, access) "
            + "VALUES (?, ?, ?) ON CONFLICT (room, nick) DO UPDATE SET access = excluded.access")) {
          write.setString(1, room);
          write.setString(2, nick);
          write.setString(3, after.code());
          write.executeUpdate();
        }
      }
      return before;
    }));
  }

  @Override
  public Future<Boolean> revoke(String room, String nick) {
    return writing(() -> transaction(db -> {
      try (PreparedStatement delete = db.prepareStatement("DELETE FROM room_access WHERE room = ? AND nick = ?")) {
        delete.setString(1, room);
        delete.setString(2, nick);
        return delete.executeUpdate() > 0;
      }
    }));
  }

  @Override
  public Future<Long> markRead(String room, String nick, long id) {
    return writing(() -> transaction(db -> {
      try (PreparedStatement write = db.prepareStatement("INSERT INTO read_markers (room, nick, last_read) "
          + "VALUES (?, ?, ?) ON CONFLICT (room, nick) DO UPDATE SET last_read = MAX(last_read, excluded.last_read) "
          + "RETURNING last_read")) {
        write.setString(1, room);
        write.setString(2, nick);
        write.setLong(3, id);
        try (ResultSet rs = write.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }));
  }

  @Override
  public Future<Map<String, Long>> readMarkers(String nick, List<String> rooms) {
    return onReader(db -> {
      Map<String, Long> found = new HashMap<>();
      forEachIn(db, "SELECT room, last_read FROM read_markers WHERE nick = ? AND room IN ", nick, rooms,
          rs -> found.put(rs.getString(1), rs.getLong(2)));
      return found;
    });
  }

  /** What a row of a result does. */
  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs {@code select} (ending in {@code IN }) for {@code nick} and {@code rooms}, {@value #IN_LIST_MAX} rooms a
   * statement (SQLite bounds a statement's parameters), each row to {@code reader}.
   */
  private static void forEachIn(Connection db, String select, String nick, List<String> rooms, RowReader reader)
      throws SQLException {
    for (int from = 0; from < rooms.size(); from += IN_LIST_MAX) {
      List<String> chunk = rooms.subList(from, Math.min(rooms.size(), from + IN_LIST_MAX));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement read = db.prepareStatement(select + "(" + marks + ")")) {
        read.setString(1, nick);
        for (int i = 0; i < chunk.size(); i++) {
          read.setString(i + 2, chunk.get(i));
        }
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            reader.read(rs);
          }
        }
      }
    }
  }

  /**
   * Retention: room by room, {@value #PRUNE_ROOMS} rooms a transaction, each its own task of the writer, so that
   * sends are committed in between; by age from each room's oldest message (ts grows with id within a room, and the
   * ids are the table's key), and all but the newest {@code maxPerRoom}.
   */
  @Override
  public Future<Long> prune(int retentionDays, int maxPerRoom) {
    long cutoff = retentionDays > 0 ? System.currentTimeMillis() - TimeUnit.DAYS.toMillis(retentionDays) : 0;
    return onReader(db -> {
      List<String> names = new ArrayList<>();
      try (Statement statement = db.createStatement(); ResultSet rs = statement.executeQuery("SELECT name FROM rooms")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      return names;
    }).compose(names -> {
      Future<Long> deleted = Future.succeededFuture(0L);
      for (int from = 0; from < names.size(); from += PRUNE_ROOMS) {
        List<String> chunk = names.subList(from, Math.min(names.size(), from + PRUNE_ROOMS));
        deleted = deleted.compose(sum -> writing(() -> transaction(db -> pruneRooms(db, chunk, cutoff, maxPerRoom)))
            .map(n -> sum + n));
      }
      return deleted;
    });
  }

  private static long pruneRooms(Connection db, List<String> rooms, long cutoff, int maxPerRoom) throws SQLException {
    long deleted = 0;
    try (PreparedStatement firstKept = db.prepareStatement(
            "SELECT id FROM messages WHERE room = ? AND ts >= ? ORDER BY id LIMIT 1");
        PreparedStatement below = db.prepareStatement("DELETE FROM messages WHERE room = ? AND id < ?")) {
      for (String room : rooms) {
        long keepFrom = 0;
        if (cutoff > 0) {
          firstKept.setString(1, room);
          firstKept.setLong(2, cutoff);
          try (ResultSet rs = firstKept.executeQuery()) {
            keepFrom = rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
          }
        }
        if (maxPerRoom > 0) {
          keepFrom = Math.max(keepFrom, lastId(db, room) - maxPerRoom + 1);
        }
        if (keepFrom > 1) {
          below.setString(1, room);
          below.setLong(2, keepFrom);
          deleted += below.executeUpdate();
        }
      }
    }
    return deleted;
  }

  @Override
  public boolean available() {
    return available;
  }

  /** Closes every connection, on the writer thread, and refuses what comes after. */
  @Override
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(checkpoints);
    return writer.executeBlocking(() -> {
      synchronized (connections) {
        for (Connection connection : connections) {
          connection.close();
        }
        connections.clear();
      }
      return null;
    }, true).eventually(writer::close).eventually(readers::close).mapEmpty();
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

  /** A row of {@link #MESSAGE_COLUMNS}: a message in its current state, or a change. */
  private static ChatMessage message(String room, ResultSet rs) throws SQLException {
    String extra = rs.getString(7);
    return new ChatMessage(room, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
        rs.getString(6), extra == null ? null : new JsonObject(extra));
  }

  private static List<RoomRecord> roomRecords(Connection db, String where, Object... args) throws SQLException {
    try (PreparedStatement read = db.prepareStatement(
        "SELECT name, epoch, created, last_id, last_active, kind, owner FROM rooms " + where)) {
      for (int i = 0; i < args.length; i++) {
        read.setObject(i + 1, args[i]);
      }
      List<RoomRecord> out = new ArrayList<>();
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          out.add(new RoomRecord(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
              RoomKind.fromCode(rs.getString(6)), rs.getString(7)));
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
    return unavailableOnFailure(readers.executeBlocking(() -> {
      Connection db = readerConnection.get();
      if (db == null) {
        db = connect();
        readerConnection.set(db);
      }
      return read.apply(db);
    }, false));
  }

  private <T> Future<T> onWriter(Callable<T> work) {
    return unavailableOnFailure(writer.executeBlocking(work, true));
  }

  /** A write, whose outcome is the writer's health for {@code /ready}: the last write failed, or it did not. */
  private <T> Future<T> writing(Callable<T> work) {
    return onWriter(work).onComplete(done -> {
      boolean failed = done.failed() && done.cause() instanceof ProtocolException e && e.code() == ErrorCode.UNAVAILABLE;
      if (available == failed) {
        available = !failed;
        if (failed) {
          log.error("SQLite cannot write: sends are refused until a write succeeds again");
        } else {
          log.info("SQLite writes again");
        }
      }
    });
  }

  /** A failing database is {@code unavailable} to the client. */
  private static <T> Future<T> unavailableOnFailure(Future<T> work) {
    return work.transform(done -> {
      if (done.succeeded()) {
        return Future.succeededFuture(done.result());
      }
      if (done.cause() instanceof SQLException e) {
        log.error("SQLite failed: {}", e.toString());
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "storage failed; try again"));
      }
      return Future.failedFuture(done.cause());
    });
  }
}
