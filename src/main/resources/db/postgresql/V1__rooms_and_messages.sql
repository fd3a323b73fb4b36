-- Parley's schema, version 1: rooms as records, and their messages. Ids are per room, +1 per message, assigned in
-- the transaction that stores them (rooms.last_id, locked for it). A sender's cid is unique within a room.
CREATE TABLE rooms (
  name        TEXT   NOT NULL PRIMARY KEY,
  epoch       TEXT   NOT NULL,
  created     BIGINT NOT NULL,
  last_id     BIGINT NOT NULL,
  last_active BIGINT NOT NULL
);
CREATE TABLE messages (
  room   TEXT   NOT NULL,
  id     BIGINT NOT NULL,
  sender TEXT   NOT NULL,
  text   TEXT   NOT NULL,
  ts     BIGINT NOT NULL,
  cid    TEXT,
  PRIMARY KEY (room, id)
);
CREATE UNIQUE INDEX messages_by_cid ON messages (room, sender, cid) WHERE cid IS NOT NULL;
CREATE INDEX messages_by_ts ON messages (ts);
