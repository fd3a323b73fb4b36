package io.parley.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox of a cluster on PostgreSQL: the {@code webhook_outbox} table (schema V4), shared by every node, on a
 * small pool of its own so that webhooks never take the messages' connections. Any node may deliver any room; the
 * lease taken in {@link #claim} (one statement, re-checked under the row lock) makes it one node at a time. Nodes
 * queue a room's events a moment after storing them, so two nodes' events can reach the table in another order
 * than their ids: the id lane goes by event id, and an id waits (up to {@link #GAP_WAIT_MS}) for the one before it.
 */
final class PostgresOutbox implements WebhookOutbox {

  /**
   * How long an event waits for the ids before it (queued by other nodes a moment later than it) before it goes
   * anyway: the one missing may never come (its node died between storing and queueing it).
   */
  static final long GAP_WAIT_MS = 2000;

  /**
   * Leases the due, free heads of up to $4 lanes: a lane's first event by event id (joins and leaves: by seq),
   * if it follows the last delivered id or has waited {@link #GAP_WAIT_MS} ($5: now minus that). The outer
   * {@code lease_until <= $3} is re-read after another node's concurrent claim of the same row commits (READ
   * COMMITTED), so only one of them gets it.
   */
  private static final String CLAIM = "UPDATE webhook_outbox SET lease_until = $1, lease_node = $2, "
      + "attempts = attempts + 1 WHERE seq IN (SELECT o.seq FROM webhook_outbox o "
      + "JOIN (SELECT lane, MIN(COALESCE(event_id, seq)) AS ord FROM webhook_outbox GROUP BY lane) h "
      + "ON h.lane = o.lane AND h.ord = COALESCE(o.event_id, o.seq) "
      + "LEFT JOIN webhook_lanes l ON l.lane = o.lane "
      + "WHERE o.next_at <= $3 AND o.lease_until <= $3 "
      + "AND (o.event_id IS NULL OR o.event_id <= l.last_id + 1 OR o.created_at <= $5) "
      + "ORDER BY o.seq LIMIT $4) AND lease_until <= $3 "
      + "RETURNING seq, body, attempts";
  private static final String DELIVERED = "WITH gone AS (DELETE FROM webhook_outbox WHERE seq = $1 "
      + "RETURNING lane, event_id) INSERT INTO webhook_lanes (lane, last_id) "
      + "SELECT lane, event_id FROM gone WHERE event_id IS NOT NULL "
      + "ON CONFLICT (lane) DO UPDATE SET last_id = GREATEST(webhook_lanes.last_id, EXCLUDED.last_id)";

  private final Pool pool;
  private final String node;

  private PostgresOutbox(Pool pool, String node) {
    this.pool = pool;
    this.node = node;
  }

  static Future<WebhookOutbox> open(Vertx vertx, String url, long timeoutMs, String node) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url);
    connect.addProperty("statement_timeout", String.valueOf(timeoutMs));
    connect.addProperty("idle_in_transaction_session_timeout", String.valueOf(timeoutMs));
    Pool pool = PgBuilder.pool()
        .with(new NetClientOptions().setConnectTimeout((int) timeoutMs).setTcpKeepAlive(true))
        .with(new PoolOptions().setMaxSize(2).setConnectionTimeout(0)) // as PostgresStore: vertx-sql-client#1706
        .connectingTo(connect).using(vertx).build();
    // The table is made by the chat service's migration (V4), which has run by the time webhooks start.
    return pool.query("SELECT 1 FROM webhook_outbox LIMIT 1").execute()
        .<WebhookOutbox>map(rows -> new PostgresOutbox(pool, node))
        .onFailure(failure -> pool.close());
  }

  @Override
  public Future<Void> add(List<WebhookEvent> events) {
    List<Tuple> rows = new ArrayList<>(events.size());
    long now = System.currentTimeMillis();
    for (WebhookEvent event : events) {
      Long id = event.roomEventId();
      rows.add(Tuple.of(event.room(), event.room() + (id == null ? "#presence" : "#events"), id,
          event.toJson().encode(), now));
    }
    // One batch on one connection: the rows get their seqs in this order.
    return pool.preparedQuery("INSERT INTO webhook_outbox (room, lane, event_id, body, created_at) "
        + "VALUES ($1, $2, $3, $4, $5)").executeBatch(rows).mapEmpty();
  }

  @Override
  public Future<List<Queued>> claim(int rooms, long now, long leaseUntil) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(leaseUntil, node, now, rooms, now - GAP_WAIT_MS)).map(rows -> {
      List<Queued> claimed = new ArrayList<>();
      for (Row row : rows) {
        claimed.add(new Queued(row.getLong(0), WebhookEvent.fromJson(new JsonObject(row.getString(1))),
            row.getInteger(2)));
      }
      claimed.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      return claimed;
    });
  }

  @Override
  public Future<Void> delivered(Queued queued) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(queued.seq())).mapEmpty();
  }

  @Override
  public Future<Void> retryAt(Queued queued, long at) {
    return pool.preparedQuery("UPDATE webhook_outbox SET next_at = $1, lease_until = 0, lease_node = NULL "
        + "WHERE seq = $2").execute(Tuple.of(at, queued.seq())).mapEmpty();
  }

  @Override
  public Future<Long> size() {
    return pool.query("SELECT COUNT(*) FROM webhook_outbox").execute().map(rows -> rows.iterator().next().getLong(0));
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }
}
