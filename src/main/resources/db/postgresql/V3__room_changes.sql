-- Parley's schema, version 3: changes to a room (edits, deletions, reactions, kicks, bans, mutes, role changes).
-- Each change is a room event under the room's next id, stored as a row of messages like a message (under the
-- room's row lock, as a send), so history and resume show the events in order; the message it changes is updated
-- in the same transaction. Columns without a default: adding them rewrites nothing.
-- kind: null for a message, else the change's kind (its frame type).
ALTER TABLE messages ADD COLUMN kind TEXT CHECK (kind IN ('edit', 'delete', 'reaction', 'kick', 'ban', 'unban',
  'mute', 'role'));
-- The message an edit, deletion or reaction is about; null for messages and for changes about a member.
ALTER TABLE messages ADD COLUMN target BIGINT;
-- The frame's other fields as JSON text (null: none): a message's edited, deleted and reactions as they are now; a
-- change's target, nick, emoji, seconds, until, role... text stays NOT NULL, as in SQLite: '' when there is none
-- (a deleted message, a change without text).
ALTER TABLE messages ADD COLUMN extra TEXT;
-- A deletion empties the text of the message's earlier edits: found by their target. Partial: edits only, so sends
-- (nearly every row) pay nothing for it.
CREATE INDEX messages_edits_by_target ON messages (room, target) WHERE kind = 'edit';
-- A nick's standing in a room: its role beyond a member's, and until when it is banned or muted (epoch ms; 0: for
-- good; null: not). No row: none of these (a row left empty is deleted). Written under the room's row lock.
CREATE TABLE room_standing (
  room         TEXT   NOT NULL,
  nick         TEXT   NOT NULL,
  role         TEXT   CHECK (role IN ('owner', 'moderator')),
  banned_until BIGINT,
  muted_until  BIGINT,
  PRIMARY KEY (room, nick)
);
