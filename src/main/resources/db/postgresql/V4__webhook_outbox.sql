-- Webhooks waiting for their receiver (io.parley.webhook.PostgresOutbox): shared by every node, so that any node
-- delivers a room's events in order, and a dead node's lease on one lapses to another. A room has two lanes: its
-- events with an id (messages and changes: ordered by event_id, which every node agrees on) and its joins and
-- leaves (ordered as queued).
CREATE TABLE webhook_outbox (
  seq BIGSERIAL PRIMARY KEY,
  room TEXT NOT NULL,
  lane TEXT NOT NULL,
  event_id BIGINT,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,
  lease_until BIGINT NOT NULL DEFAULT 0,
  lease_node TEXT
);
CREATE INDEX webhook_outbox_lane ON webhook_outbox (lane, event_id, seq);
-- The last event id delivered in each room's id lane: the next one goes at once, a later one waits for the gap.
CREATE TABLE webhook_lanes (
  lane TEXT PRIMARY KEY,
  last_id BIGINT NOT NULL
);
