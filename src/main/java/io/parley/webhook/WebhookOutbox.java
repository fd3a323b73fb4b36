package io.parley.webhook;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where webhooks wait until their receiver has them: durable with durable storage (SQLite's {@code webhooks.db},
 * PostgreSQL's {@code webhook_outbox}), so that a node's restart loses none. Delivery takes the oldest waiting event
 * of each room only ({@link #claim}): a room's events go out one at a time, in order, on whichever node claims them
 * (a claim is a lease, so that a node that dies in the middle of a delivery does not hold its room for good).
 */
public interface WebhookOutbox {

  /** Queues {@code events}, in this order (their rooms' order); done once they are stored. */
  Future<Void> add(List<WebhookEvent> events);

  /**
   * Leases, until {@code leaseUntil}, the head event of up to {@code rooms} rooms whose head is due by {@code now}
   * and not leased by anyone; each claim counts as an attempt.
   */
  Future<List<Queued>> claim(int rooms, long now, long leaseUntil);

  /** The receiver has it: gone from the queue. */
  Future<Void> delivered(Queued queued);

  /** It failed: tried again at {@code at} (the room's later events wait behind it). */
  Future<Void> retryAt(Queued queued, long at);

  /** How many wait. */
  Future<Long> size();

  Future<Void> close();

  /** A queued event: its place in the queue and how many times it was tried, this claim included. */
  record Queued(long seq, WebhookEvent event, int attempts) {
  }
}
