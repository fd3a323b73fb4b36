package io.parley.store.sql;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.common.Retry;
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
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of a cluster: PostgreSQL through Vert.x's reactive client ({@code DATABASE_URL}), which every node
 * shares. Ids are decided in the database's transaction: a batch locks its rooms' rows ({@code FOR UPDATE}, in name
 * order), reads their last ids and the cids already stored, and writes the messages and the new last ids, so two
 * nodes, or the two sides of a split cluster, can never give one id to two messages, nor store a cid twice. Sends
 * are committed in groups ({@link GroupCommit}).
 */
public final class PostgresStore implements MessageLog {

  private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);
  private static final String MESSAGE_COLUMNS = "id, sender, text, ts, cid, kind, extra";
  /** Advisory locks: one migration at a time, one room creation at a time, one node pruning at a time. */
  private static final long MIGRATION_LOCK = 7226173;
  private static final long ROOM_CREATION_LOCK = 7226174;
  private static final long PRUNE_LOCK = 7226175;
  /** Rooms pruned per transaction: a sweep never holds many rooms' locks at once. */
  private static final int PRUNE_ROOMS_PER_TRANSACTION = 200;
  /** Tries at start-up (1 s, 2 s, ... apart: about 45 s in all). */
  private static final int OPEN_ATTEMPTS = 10;
  /** How often an unreachable database is tried again. */
  private static final long PROBE_MS = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final GroupCommit commits;
  private volatile boolean available = true;
  private volatile boolean closed;
  private long probe = -1;
  /** Room creations under way, by room (used from the chat verticle's context only). */
  private final Map<String, Future<RoomRecord>> creating = new HashMap<>();

  private PostgresStore(Vertx vertx, Pool pool, int batchMax, int queueMax) {
    this.vertx = vertx;
    this.pool = pool;
    this.commits = new GroupCommit((ContextInternal) vertx.getOrCreateContext(), this::commit, batchMax, queueMax);
  }

  /**
   * Connects to {@code url} ({@code postgresql://user:password@host:port/db}) and migrates the schema (one node at a
   * time: the migration holds an advisory lock); call on the chat verticle's context. {@code timeoutMs} bounds a
   * connection attempt, so that a request fails in time when the database is down.
   */
  public static Future<PostgresStore> open(Vertx vertx, String url, int poolSize, long timeoutMs, int batchMax,
      int queueMax) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url);
    // A statement the server holds too long (a lock behind a stuck session) fails rather than queueing every send
    // behind it; keep-alive finds a connection that a dead server or a dropped route left silent.
    connect.addProperty("statement_timeout", String.valueOf(timeoutMs));
    // A node cut off from the database in the middle of a transaction leaves its session "idle in transaction",
    // holding its rooms' row locks, which would stall every other node's sends to them until the server notices
    // the dead connection (hours, with the kernel's keep-alive): the server ends such a session instead.
    connect.addProperty("idle_in_transaction_session_timeout", String.valueOf(timeoutMs));
    Pool pool = PgBuilder.pool()
        // TCP_USER_TIMEOUT (native transport): a connection whose data goes unacknowledged that long (a silent
        // route) fails, rather than waiting out the kernel's retransmissions (a quarter of an hour).
        .with(tcpOptions(timeoutMs))
        // No wait timeout in the pool: in vertx-sql-client 5.0 its timer can fire on a request already completed
        // (eclipse-vertx/vertx-sql-client#1706), which throws and leaves another waiter hanging for good (seen: a
        // node that never finished starting). A wait is bounded by the connect timeout, statement_timeout and the
        // chat service's own request timeout instead.
        .with(new PoolOptions().setMaxSize(poolSize).setConnectionTimeout(0))
        .connectingTo(connect)
        .using(vertx)
        .build();
    PostgresStore store = new PostgresStore(vertx, pool, batchMax, queueMax);
    // Nodes of a cluster often start together with their database: a few tries before giving up.
    return Retry.withBackoff(vertx, OPEN_ATTEMPTS, "connecting to PostgreSQL and migrating its schema", log,
        PostgresStore::unreachable, store::migrate).map(v -> {
      log.info("storage: PostgreSQL at {}:{}/{}", connect.getHost(), connect.getPort(), connect.getDatabase());
      return store;
    }).onFailure(failure -> pool.close());
  }

  private static NetClientOptions tcpOptions(long timeoutMs) {
    NetClientOptions options = new NetClientOptions().setConnectTimeout((int) timeoutMs).setTcpKeepAlive(true);
    options.setTcpUserTimeout((int) Math.max(2 * timeoutMs, 5000));
    return options;
  }

  private Future<Void> migrate() {
    return pool.withTransaction(db -> db.query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute()
        .compose(locked -> db.query("SELECT to_regclass('parley_schema') IS NOT NULL").execute())
        .compose(exists -> exists.iterator().next().getBoolean(0) ? Future.succeededFuture()
            : db.query(Migrations.VERSION_TABLE).execute())
        .compose(created -> db.query(Migrations.CURRENT_VERSION).execute())
        .compose(rows -> {
          Future<Void> done = Future.succeededFuture();
          for (Migrations.Migration migration : Migrations.pending(rows.iterator().next().getInteger(0))) {
            for (String sql : migration.statements("postgresql")) {
              done = done.compose(v -> db.query(sql).execute().mapEmpty());
            }
            done = done.compose(v -> db.preparedQuery(
                    "INSERT INTO parley_schema (version, description, applied) VALUES ($1, $2, $3)")
                .execute(Tuple.of(migration.version(), Migrations.describe(migration), System.currentTimeMillis()))
                .onSuccess(r -> log.info("database schema migrated to version {} ({})", migration.version(),
                    Migrations.describe(migration)))
                .mapEmpty());
          }
          return done;
        }));
  }

  @Override
  public Future<Appended> append(String room, String from, String text, String cid, long ts) {
    if (!available) {
      return unavailable();
    }
    return commits.submit(new AppendPlan.Send(room, from, text, cid, ts));
  }

  /** One transaction for a batch. */
  private Future<List<Appended>> commit(List<AppendPlan.Send> batch) {
    TreeSet<String> rooms = new TreeSet<>(); // locked in name order: two batches never wait on each other in a ring
    batch.forEach(send -> rooms.add(send.room()));
    String[] names = rooms.toArray(String[]::new);
    return guarded(pool.withTransaction(db -> db.preparedQuery("SELECT name, last_id FROM rooms WHERE name = ANY($1) "
            + "ORDER BY name FOR UPDATE").execute(Tuple.of((Object) names))
        .compose(locked -> {
          Map<String, Long> lastIds = new HashMap<>();
          locked.forEach(row -> lastIds.put(row.getString(0), row.getLong(1)));
          if (lastIds.size() < names.length) {
            // Sends are of rooms a join created: a room without a record is a bug, not an outage.
            return Future.failedFuture(new IllegalStateException("rooms without a record: "
                + rooms.stream().filter(room -> !lastIds.containsKey(room)).toList()));
          }
          return storedCids(db, batch).compose(stored -> write(db, AppendPlan.of(batch, lastIds, stored)));
        })));
  }

  /** The messages already stored for the batch's cids (read under the rooms' locks: nobody adds one meanwhile). */
  private static Future<Map<String, ChatMessage>> storedCids(SqlConnection db, List<AppendPlan.Send> batch) {
    List<AppendPlan.Send> withCid = batch.stream().filter(send -> send.cid() != null).toList();
    if (withCid.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return db.preparedQuery("SELECT m.room, m.id, m.sender, m.text, m.ts, m.cid, m.kind, m.extra FROM messages m "
            + "JOIN unnest($1::text[], $2::text[], $3::text[]) AS c(room, sender, cid) "
            + "ON m.room = c.room AND m.sender = c.sender AND m.cid = c.cid")
        .execute(Tuple.of(withCid.stream().map(AppendPlan.Send::room).toArray(String[]::new),
            withCid.stream().map(AppendPlan.Send::from).toArray(String[]::new),
            withCid.stream().map(AppendPlan.Send::cid).toArray(String[]::new)))
        .map(rows -> {
          Map<String, ChatMessage> stored = new HashMap<>();
          for (Row row : rows) {
            ChatMessage m = new ChatMessage(row.getString(0), row.getLong(1), row.getString(2), row.getString(3),
                row.getLong(4), row.getString(5), row.getString(6), decode(row.getString(7)));
            stored.put(CidStore.key(m.room(), m.from(), m.cid()), m);
          }
          return stored;
        });
  }

  private static Future<List<Appended>> write(SqlConnection db, AppendPlan plan) {
    if (plan.inserts().isEmpty()) {
      return Future.succeededFuture(plan.results());
    }
    List<ChatMessage> rows = plan.inserts();
    return db.preparedQuery("INSERT INTO messages (room, id, sender, text, ts, cid) "
            + "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])")
        .execute(Tuple.of(rows.stream().map(ChatMessage::room).toArray(String[]::new),
            rows.stream().map(ChatMessage::id).toArray(Long[]::new),
            rows.stream().map(ChatMessage::from).toArray(String[]::new),
            rows.stream().map(ChatMessage::text).toArray(String[]::new),
            rows.stream().map(ChatMessage::ts).toArray(Long[]::new),
            rows.stream().map(ChatMessage::cid).toArray(String[]::new)))
        .compose(inserted -> db.preparedQuery("UPDATE rooms SET last_id = v.last_id, "
                + "last_active = GREATEST(rooms.last_active, v.ts) "
                + "FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(name, last_id, ts) WHERE rooms.name = v.name")
            .execute(Tuple.of(plan.lastIds().keySet().toArray(String[]::new),
                plan.lastIds().values().toArray(Long[]::new),
                plan.lastIds().keySet().stream().map(plan.lastActive()::get).toArray(Long[]::new))))
        .map(updated -> plan.results());
  }

  /**
   * One transaction, holding the room's row lock ({@code FOR UPDATE}, as a batch of sends does: the two take turns,
   * so ids stay +1 whichever node writes): the target's new state (and a deletion's redacted edits) or the member's
   * standing, then the event under the room's next id. A refusal of {@link RoomChanges#apply} rolls it back. A
   * change has no cid: if its commit's answer is lost, it is not read back (a retry may store it twice).
   */
  @Override
  public Future<Changed> change(String room, RoomChange change) {
    if (!available) {
      return unavailable();
    }
    return guarded(pool.withTransaction(db -> db.preparedQuery("SELECT last_id FROM rooms WHERE name = $1 FOR UPDATE")
        .execute(Tuple.of(room))
        .compose(locked -> {
          if (locked.size() == 0) {
            // Changes are of rooms a join created: a room without a record is a bug, not an outage.
            return Future.failedFuture(new IllegalStateException("room " + room + " has no record"));
          }
          long id = locked.iterator().next().getLong(0) + 1;
          Future<ChatMessage> applied = change.kind().aboutMessage() ? changeTarget(db, room, change)
              : changeStanding(db, room, change).map(v -> (ChatMessage) null);
          return applied.compose(target -> insertEvent(db, RoomChanges.event(room, id, change, target))
              .map(event -> new Changed(event, target)));
        })));
  }

  /** The target's new state written (a deletion's earlier edits emptied too), read under the room's lock. */
  private static Future<ChatMessage> changeTarget(SqlConnection db, String room, RoomChange change) {
    return messages(db, room, "id = $2", change.target()).compose(found -> {
      ChatMessage target;
      try {
        target = RoomChanges.apply(found.isEmpty() ? null : found.get(0), change);
      } catch (ProtocolException refused) {
        return Future.failedFuture(refused);
      }
      Future<?> written = db.preparedQuery("UPDATE messages SET text = $3, extra = $4 WHERE room = $1 AND id = $2")
          .execute(Tuple.of(room, target.id(), target.text(), encode(target.extra())));
      if (change.kind() == RoomChange.Kind.DELETE) {
        written = written.compose(v -> db.preparedQuery("UPDATE messages SET text = '' "
            + "WHERE room = $1 AND kind = 'edit' AND target = $2").execute(Tuple.of(room, target.id())));
      }
      return written.map(v -> target);
    });
  }

  /** The member's standing after the change (its row deleted when nothing is left), under the room's lock. */
  private static Future<Void> changeStanding(SqlConnection db, String room, RoomChange change) {
    return readStanding(db, room, change.nick()).compose(before -> {
      Standing after = RoomChanges.standing(before, change);
      if (after.isEmpty()) {
        return db.preparedQuery("DELETE FROM room_standing WHERE room = $1 AND nick = $2")
            .execute(Tuple.of(room, change.nick())).mapEmpty();
      }
      return db.preparedQuery("INSERT INTO room_standing (room, nick, role, banned_until, muted_until) "
              + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room, nick) DO UPDATE SET role = EXCLUDED.role, "
              + "banned_until = EXCLUDED.banned_until, muted_until = EXCLUDED.muted_until")
          .execute(Tuple.of(room, change.nick(), after.role(), after.bannedUntil(), after.mutedUntil())).mapEmpty();
    });
  }

  /** The event as the room's next row, and the room's last id and activity advanced as by a send. */
  private static Future<ChatMessage> insertEvent(SqlConnection db, ChatMessage event) {
    return db.preparedQuery("INSERT INTO messages (room, id, sender, text, ts, cid, kind, target, extra) "
            + "VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8)")
        .execute(Tuple.of(event.room(), event.id(), event.from(), event.text(), event.ts(), event.kind(),
            event.target() == 0 ? null : event.target(), encode(event.extra())))
        .compose(inserted -> db.preparedQuery("UPDATE rooms SET last_id = $2, last_active = GREATEST(last_active, $3) "
            + "WHERE name = $1").execute(Tuple.of(event.room(), event.id(), event.ts())))
        .map(updated -> event);
  }

  private static Future<Standing> readStanding(SqlClient db, String room, String nick) {
    return db.preparedQuery("SELECT role, banned_until, muted_until FROM room_standing WHERE room = $1 AND nick = $2")
        .execute(Tuple.of(room, nick))
        .map(rows -> rows.size() == 0 ? Standing.NONE : standing(rows.iterator().next(), 0));
  }

  private static Standing standing(Row row, int from) {
    return new Standing(row.getString(from), row.getLong(from + 1), row.getLong(from + 2));
  }

  @Override
  public Future<Standing> standing(String room, String nick) {
    return read(db -> readStanding(db, room, nick));
  }

  @Override
  public Future<Map<String, Standing>> standings(String room) {
    return read(db -> db.preparedQuery("SELECT nick, role, banned_until, muted_until FROM room_standing "
            + "WHERE room = $1").execute(Tuple.of(room))
        .map(rows -> {
          Map<String, Standing> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getString(0), standing(row, 1));
          }
          return found;
        }));
  }

  @Override
  public Future<Slice> before(String room, Long before, int limit) {
    return read(db -> lastId(db, room).compose(lastId -> messages(db, room,
            "id < $2 ORDER BY id DESC LIMIT $3", before == null ? lastId + 1 : Math.min(before, lastId + 1), limit)
        .map(newestFirst -> new Slice(reverse(newestFirst), lastId))));
  }

  @Override
  public Future<Slice> after(String room, long since, int limit) {
    // The last id first: every message up to it is committed (a room's ids commit in order, under its lock).
    return read(db -> lastId(db, room).compose(lastId -> messages(db, room,
            "id > $2 AND id <= $3 ORDER BY id DESC LIMIT $4", since, lastId, limit)
        .map(newestFirst -> new Slice(reverse(newestFirst), lastId))));
  }

  @Override
  public Future<Slice> between(String room, long firstId, long lastId) {
    return read(db -> lastId(db, room).compose(newest -> messages(db, room, "id >= $2 AND id <= $3 ORDER BY id",
        firstId, Math.min(lastId, newest)).map(found -> new Slice(found, newest))));
  }

  @Override
  public Future<Long> lastId(String room) {
    return read(db -> lastId(db, room));
  }

  @Override
  public Future<RoomRecord> room(String room) {
    return read(db -> roomRecords(db, "WHERE name = $1", Tuple.of(room))
        .map(found -> found.isEmpty() ? null : found.get(0)));
  }

  @Override
  public Future<RoomRecord> createRoom(String room, int maxRooms, RoomKind kind, List<String> members) {
    Map<String, Access> initial;
    try {
      initial = RoomAccess.initial(kind, members);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    // The first members of a new room often come at once: one creation per room and node at a time, the others
    // wait for its answer (a room that exists is answered as it is, whatever kind they asked for).
    Future<RoomRecord> pending = creating.get(room);
    if (pending != null) {
      return pending;
    }
    Future<RoomRecord> created = guarded(read(db -> roomRecords(db, "WHERE name = $1", Tuple.of(room)))
        .compose(found -> found.isEmpty() ? createLocked(room, maxRooms, kind, RoomAccess.owner(kind, members),
            initial) : Future.succeededFuture(found.get(0))));
    creating.put(room, created);
    return created.onComplete(done -> creating.remove(room));
  }

  /**
   * Creates a room while fewer than {@code maxRooms} exist, with its access list in the same transaction (the one it
   * starts with: whatever a grant to the room before it existed left there is dropped). Creations take turns (one
   * advisory lock), so that the count they check is exact across every node; a room made meanwhile by another node
   * is answered as it is.
   */
  private Future<RoomRecord> createLocked(String room, int maxRooms, RoomKind kind, String owner,
      Map<String, Access> initial) {
    long now = System.currentTimeMillis();
    return pool.withTransaction(db -> db.query("SELECT pg_advisory_xact_lock(" + ROOM_CREATION_LOCK + ")").execute()
        .compose(locked -> roomRecords(db, "WHERE name = $1", Tuple.of(room)))
        .compose(found -> !found.isEmpty() ? Future.succeededFuture(found.get(0))
            : db.preparedQuery("INSERT INTO rooms (name, epoch, created, last_id, last_active, kind, owner) "
                    + "SELECT $1, $2, $3, 0, $3, $5, $6 WHERE (SELECT COUNT(*) FROM rooms) < $4 "
                    + "ON CONFLICT (name) DO NOTHING")
                .execute(Tuple.of(room, Epochs.next(), now, maxRooms, kind.code(), owner))
                .compose(inserted -> inserted.rowCount() == 0 ? Future.succeededFuture()
                    : initialAccess(db, room, initial))
                .compose(written -> roomRecords(db, "WHERE name = $1", Tuple.of(room)))
                .map(records -> records.isEmpty() ? null : records.get(0))));
  }

  private static Future<Void> initialAccess(SqlConnection db, String room, Map<String, Access> initial) {
    Future<Void> cleared = db.preparedQuery("DELETE FROM room_access WHERE room = $1").execute(Tuple.of(room))
        .mapEmpty();
    if (initial.isEmpty()) {
      return cleared;
    }
    return cleared.compose(v -> db.preparedQuery("INSERT INTO room_access (room, nick, access) "
            + "SELECT $1, * FROM unnest($2::text[], $3::text[])")
        .execute(Tuple.of(room, initial.keySet().toArray(String[]::new),
            initial.values().stream().map(Access::code).toArray(String[]::new)))
        .mapEmpty());
  }

  /** Public rooms and those {@code nick} has access to (none when null: {@code nick = NULL} is never true). */
  @Override
  public Future<List<RoomRecord>> rooms(String nick, String after, int limit) {
    return read(db -> roomRecords(db, "WHERE name > $1 AND (kind = 'public' OR name IN "
        + "(SELECT room FROM room_access WHERE nick = $2)) ORDER BY name LIMIT $3",
        Tuple.of(after == null ? "" : after, nick, limit)));
  }

  @Override
  public Future<Access> access(String room, String nick) {
    return read(db -> db.preparedQuery("SELECT access FROM room_access WHERE room = $1 AND nick = $2")
        .execute(Tuple.of(room, nick))
        .map(rows -> rows.size() == 0 ? null : Access.fromCode(rows.iterator().next().getString(0))));
  }

  @Override
  public Future<Map<String, Access>> accessOf(String nick, List<String> rooms) {
    if (rooms.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return read(db -> db.preparedQuery("SELECT room, access FROM room_access WHERE nick = $1 AND room = ANY($2)")
        .execute(Tuple.of(nick, (Object) rooms.toArray(String[]::new)))
        .map(PostgresStore::accessByFirstColumn));
  }

  @Override
  public Future<Map<String, Access>> accessList(String room) {
    return read(db -> db.preparedQuery("SELECT nick, access FROM room_access WHERE room = $1").execute(Tuple.of(room))
        .map(PostgresStore::accessByFirstColumn));
  }

  private static Map<String, Access> accessByFirstColumn(RowSet<Row> rows) {
    Map<String, Access> found = new HashMap<>();
    for (Row row : rows) {
      found.put(row.getString(0), Access.fromCode(row.getString(1)));
    }
    return found;
  }

  /**
   * In one transaction: the nick's row locked and raised if it must be; a nick without one gets one (two grants at
   * once: one inserts, the other finds its row, locks it, and raises it if it must).
   */
  @Override
  public Future<Access> grant(String room, String nick, Access access) {
    if (access == null) {
      return Future.failedFuture(new IllegalArgumentException("no access to grant"));
    }
    if (!available) {
      return unavailable();
    }
    return guarded(pool.withTransaction(db -> grantIn(db, room, nick, access, 3)));
  }

  private static Future<Access> grantIn(SqlConnection db, String room, String nick, Access access, int tries) {
    return db.preparedQuery("INSERT INTO room_access (room, nick, access) VALUES ($1, $2, $3) "
            + "ON CONFLICT (room, nick) DO NOTHING").execute(Tuple.of(room, nick, access.code()))
        .compose(inserted -> inserted.rowCount() == 1 ? Future.succeededFuture((Access) null)
            : db.preparedQuery("SELECT access FROM room_access WHERE room = $1 AND nick = $2 FOR UPDATE")
                .execute(Tuple.of(room, nick))
                .compose(rows -> {
                  if (rows.size() == 0) {
                    // Revoked between the two statements: try again (a few times; then it is a bug).
                    return tries > 1 ? grantIn(db, room, nick, access, tries - 1)
                        : Future.failedFuture(new IllegalStateException("grant of " + room + " to " + nick
                            + " raced with revocations"));
                  }
                  Access before = Access.fromCode(rows.iterator().next().getString(0));
                  Access after = RoomAccess.raised(before, access);
                  return after == before ? Future.succeededFuture(before)
                      : db.preparedQuery("UPDATE room_access SET access = $3 WHERE room = $1 AND nick = $2")
                          .execute(Tuple.of(room, nick, after.code())).map(updated -> before);
                }));
  }

  // revoke and markRead are one statement each (in its own transaction): through read()'s availability guard.

  @Override
  public Future<Boolean> revoke(String room, String nick) {
    return read(db -> db.preparedQuery("DELETE FROM room_access WHERE room = $1 AND nick = $2")
        .execute(Tuple.of(room, nick)).map(deleted -> deleted.rowCount() > 0));
  }

  @Override
  public Future<Long> markRead(String room, String nick, long id) {
    return read(db -> db.preparedQuery("INSERT INTO read_markers AS r (room, nick, last_read) VALUES ($1, $2, $3) "
            + "ON CONFLICT (room, nick) DO UPDATE SET last_read = GREATEST(r.last_read, EXCLUDED.last_read) "
            + "RETURNING last_read")
        .execute(Tuple.of(room, nick, id)).map(rows -> rows.iterator().next().getLong(0)));
  }

  @Override
  public Future<Map<String, Long>> readMarkers(String nick, List<String> rooms) {
    if (rooms.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return read(db -> db.preparedQuery("SELECT room, last_read FROM read_markers WHERE nick = $1 AND room = ANY($2)")
        .execute(Tuple.of(nick, (Object) rooms.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Long> found = new HashMap<>();
          for (Row row : rows) {
            found.put(row.getString(0), row.getLong(1));
          }
          return found;
        }));
  }

  /**
   * Deletes what retention no longer keeps, {@value #PRUNE_ROOMS_PER_TRANSACTION} rooms per transaction, by name, so
   * that sends to those rooms wait at most for one short transaction. One node prunes at a time: a node that finds the
   * lock taken skips the chunk (another node is on it).
   */
  @Override
  public Future<Long> prune(int retentionDays, int maxPerRoom) {
    if (retentionDays <= 0 && maxPerRoom <= 0) {
      return Future.succeededFuture(0L);
    }
    long before = retentionDays > 0 ? System.currentTimeMillis() - TimeUnit.DAYS.toMillis(retentionDays) : 0;
    return pruneFrom("", before, maxPerRoom, 0L);
  }

  private Future<Long> pruneFrom(String after, long before, int maxPerRoom, long deletedSoFar) {
    if (closed) {
      return Future.succeededFuture(deletedSoFar);
    }
    return guarded(pool.withTransaction(db -> db.query("SELECT pg_try_advisory_xact_lock(" + PRUNE_LOCK + ")").execute()
        .compose(lock -> {
          if (!lock.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new Pruned(null, 0));
          }
          // Each room keeps from the oldest id that both rules keep; by age, the first message new enough (ts grows
          // with id within a room, so the index on (room, id) walks only what is deleted).
          return db.preparedQuery("SELECT r.name, GREATEST(CASE WHEN $3 > 0 THEN r.last_id - $3 + 1 ELSE 0 END, "
                  + "CASE WHEN $4 > 0 THEN COALESCE((SELECT m.id FROM messages m WHERE m.room = r.name AND m.ts >= $4 "
                  + "ORDER BY m.id LIMIT 1), r.last_id + 1) ELSE 0 END) FROM rooms r WHERE r.name > $1 "
                  + "ORDER BY r.name LIMIT $2")
              .execute(Tuple.of(after, PRUNE_ROOMS_PER_TRANSACTION, (long) maxPerRoom, before))
              .compose(rows -> {
                List<String> names = new ArrayList<>();
                List<Long> keepFrom = new ArrayList<>();
                for (Row row : rows) {
                  names.add(row.getString(0));
                  keepFrom.add(row.getLong(1));
                }
                if (names.isEmpty()) {
                  return Future.succeededFuture(new Pruned(null, 0));
                }
                return db.preparedQuery("DELETE FROM messages m USING unnest($1::text[], $2::bigint[]) AS k(room, "
                        + "keep_from) WHERE m.room = k.room AND m.id < k.keep_from")
                    .execute(Tuple.of(names.toArray(String[]::new), (Object) keepFrom.toArray(Long[]::new)))
                    .map(deleted -> new Pruned(names.size() < PRUNE_ROOMS_PER_TRANSACTION ? null
                        : names.get(names.size() - 1), deleted.rowCount()));
              });
        })))
        .compose(pruned -> pruned.next() == null ? Future.succeededFuture(deletedSoFar + pruned.deleted())
            : pruneFrom(pruned.next(), before, maxPerRoom, deletedSoFar + pruned.deleted()));
  }

  /** A chunk of a retention sweep: the last room it covered when there may be more ({@code null}: done). */
  private record Pruned(String next, long deleted) {
  }

  @Override
  public boolean available() {
    return available;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(probe);
    return pool.close();
  }

  private static Future<Long> lastId(SqlClient db, String room) {
    return db.preparedQuery("SELECT last_id FROM rooms WHERE name = $1").execute(Tuple.of(room))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
  }

  private static Future<List<ChatMessage>> messages(SqlClient db, String room, String where, Object... args) {
    Tuple tuple = Tuple.of(room);
    for (Object arg : args) {
      tuple.addValue(arg);
    }
    return db.preparedQuery("SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room = $1 AND " + where).execute(tuple)
        .map(rows -> {
          List<ChatMessage> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            out.add(new ChatMessage(room, row.getLong(0), row.getString(1), row.getString(2), row.getLong(3),
                row.getString(4), row.getString(5), decode(row.getString(6))));
          }
          return out;
        });
  }

  private static JsonObject decode(String extra) {
    return extra == null ? null : new JsonObject(extra);
  }

  private static String encode(JsonObject extra) {
    return extra == null ? null : extra.encode();
  }

  private static Future<List<RoomRecord>> roomRecords(SqlClient db, String where, Tuple args) {
    return db.preparedQuery("SELECT name, epoch, created, last_id, last_active, kind, owner FROM rooms " + where)
        .execute(args)
        .map(PostgresStore::records);
  }

  private static List<RoomRecord> records(RowSet<Row> rows) {
    List<RoomRecord> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(new RoomRecord(row.getString(0), row.getString(1), row.getLong(2), row.getLong(3), row.getLong(4),
          RoomKind.fromCode(row.getString(5)), row.getString(6)));
    }
    return out;
  }

  private static <T> List<T> reverse(List<T> list) {
    java.util.Collections.reverse(list);
    return list;
  }

  private <T> Future<T> read(java.util.function.Function<SqlClient, Future<T>> work) {
    if (!available) {
      return unavailable();
    }
    return guarded(work.apply(pool));
  }

  /**
   * A failure to reach the database makes the store unavailable: requests fail at once with {@code unavailable} (and
   * {@code /ready} says {@code STORAGE_DOWN}) while a probe tries again every second; the first success ends it.
   */
  private <T> Future<T> guarded(Future<T> work) {
    return work.transform(done -> {
      if (done.succeeded()) {
        return Future.succeededFuture(done.result());
      }
      if (done.cause() instanceof ProtocolException refusal) {
        return Future.failedFuture(refusal);
      }
      if (tooSlow(done.cause())) {
        // A statement cancelled by statement_timeout, a lock not granted, a deadlock: the database is there but
        // did not do it in time (rolled back). Not an outage; the request may be tried again.
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "the database was too slow; try again"));
      }
      if (!unreachable(done.cause())) {
        return Future.failedFuture(done.cause()); // the database answered: a bug, not an outage
      }
      markUnavailable(done.cause());
      return unavailable();
    });
  }

  /**
   * A connection that failed, timed out or closed (the client's I/O and Vert.x errors), or a server going away
   * (SQLSTATE classes 08, 53, 57: connection, resources, operator intervention, statement_timeout among them); not a
   * refused statement, nor a bug of ours, which would otherwise take the store out of service.
   */
  private static boolean unreachable(Throwable cause) {
    if (cause instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      return !tooSlow(cause) && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }
    if (cause instanceof java.io.IOException || cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof io.vertx.sqlclient.ClosedConnectionException) {
      return true;
    }
    // The pool's wait for a connection fails with a plain VertxException, without a type of its own.
    return cause instanceof io.vertx.core.VertxException && String.valueOf(cause.getMessage()).startsWith("Timeout");
  }

  /** SQLSTATE 57014 (statement timeout), 55P03 (lock not available), 40P01 (deadlock), 40001 (serialization). */
  private static boolean tooSlow(Throwable cause) {
    return cause instanceof PgException pg && pg.getSqlState() != null
        && java.util.Set.of("57014", "55P03", "40P01", "40001").contains(pg.getSqlState());
  }

  private void markUnavailable(Throwable cause) {
    if (available && !closed) {
      available = false;
      log.error("PostgreSQL is unreachable, sends are refused until it is back: {}", cause.toString());
      probe = vertx.setPeriodic(PROBE_MS, id -> pool.query("SELECT 1").execute().onSuccess(ok -> {
        if (closed) {
          return;
        }
        if (!available) {
          available = true;
          vertx.cancelTimer(probe);
          log.info("PostgreSQL is reachable again");
        }
      }));
    }
  }

  private static <T> Future<T> unavailable() {
    return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "storage is unavailable; try again"));
  }
}
