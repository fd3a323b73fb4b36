package io.parley.webhook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outbox of {@code STORAGE=memory}: in this node's memory, lost with it as the messages are. In a cluster each
 * node delivers the events it made. Thread-safe (the chat service adds, the delivery claims).
 */
final class MemoryOutbox implements WebhookOutbox {

  private static final class Row {
    final long seq;
    final String body;
    int attempts;
    long nextAt;
    long leaseUntil;

    Row(long seq, String body) {
      this.seq = seq;
      this.body = body;
    }
  }

  private final Map<String, TreeMap<Long, Row>> rooms = new LinkedHashMap<>();
  private long nextSeq = 1;
  private long size;

  @Override
  public synchronized Future<Void> add(List<WebhookEvent> events) {
    for (WebhookEvent event : events) {
      Row row = new Row(nextSeq++, event.toJson().encode());
      rooms.computeIfAbsent(event.room(), r -> new TreeMap<>()).put(row.seq, row);
      size++;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Queued>> claim(int max, long now, long leaseUntil) {
    List<Row> heads = new ArrayList<>();
    for (TreeMap<Long, Row> queue : rooms.values()) {
      Row head = queue.firstEntry().getValue();
      if (head.nextAt <= now && head.leaseUntil <= now) {
        heads.add(head);
      }
    }
    heads.sort((a, b) -> Long.compare(a.seq, b.seq));
    List<Queued> claimed = new ArrayList<>();
    for (Row row : heads.subList(0, Math.min(max, heads.size()))) {
      row.leaseUntil = leaseUntil;
      row.attempts++;
      claimed.add(new Queued(row.seq, WebhookEvent.fromJson(new JsonObject(row.body)), row.attempts));
    }
    return Future.succeededFuture(claimed);
  }

  @Override
  public synchronized Future<Void> delivered(Queued queued) {
    TreeMap<Long, Row> queue = rooms.get(queued.event().room());
    if (queue != null && queue.remove(queued.seq()) != null) {
      size--;
      if (queue.isEmpty()) {
        rooms.remove(queued.event().room());
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> retryAt(Queued queued, long at) {
    TreeMap<Long, Row> queue = rooms.get(queued.event().room());
    Row row = queue == null ? null : queue.get(queued.seq());
    if (row != null) {
      row.nextAt = at;
      row.leaseUntil = 0;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> size() {
    return Future.succeededFuture(size);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
