-- Parley's schema, version 1: rooms as records, and their messages. Ids are per room, +1 per message, assigned in
-- the transaction that stores them (rooms.last_id). A sender's cid is unique within a room.
CREATE TABLE rooms (
  name        TEXT    NOT NULL PRIMARY KEY,
  epoch       TEXT    NOT NULL,
  created     INTEGER NOT NULL,
  last_id     INTEGER NOT NULL,
  last_active INTEGER NOT NULL
);
CREATE TABLE messages (
  room   TEXT    NOT NULL,
  id     INTEGER NOT NULL,
  sender TEXT    NOT NULL,
  text   TEXT    NOT NULL,
  ts     INTEGER NOT NULL,
  cid    TEXT,
  PRIMARY KEY (room, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX messages_by_cid ON messages (room, sender, cid) WHERE cid IS NOT NULL;
-- No index on ts: the one writer would pay for it at every message; retention by age walks each room from its
-- oldest message instead (ts grows with id within a room).
