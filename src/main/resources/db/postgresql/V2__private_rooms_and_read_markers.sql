-- Parley's schema, version 2: private and direct rooms, and read markers. A room's kind decides who may see it:
-- anyone (public, what every room of version 1 is), or those on its access list. The owner is a private room's
-- creator (null for public and direct rooms). A constant default adds the column without rewriting the table.
ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'public' CHECK (kind IN ('public', 'private', 'direct'));
ALTER TABLE rooms ADD COLUMN owner TEXT;
-- Who may enter a private or direct room: owner, member, or invited (may join, which makes it a member). Written
-- with the room in the transaction that creates it.
CREATE TABLE room_access (
  room   TEXT NOT NULL,
  nick   TEXT NOT NULL,
  access TEXT NOT NULL CHECK (access IN ('owner', 'member', 'invited')),
  PRIMARY KEY (room, nick)
);
-- A nick's rooms (the rooms it may see, listed with the public ones) without reading every room's list.
CREATE INDEX room_access_by_nick ON room_access (nick, room);
-- The newest id each nick has read in each room; it only moves forward. None: nothing read.
CREATE TABLE read_markers (
  room      TEXT   NOT NULL,
  nick      TEXT   NOT NULL,
  last_read BIGINT NOT NULL,
  PRIMARY KEY (room, nick)
);
