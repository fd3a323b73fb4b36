-- Parley's schema, version 3: changes to a room (edits, deletions, reactions, kicks, bans, mutes, role changes).
-- Each change is a room event under the room's next id, stored as a row of messages like a message, so history
-- and resume show the events in order; the message it changes is updated in the same transaction.
-- kind: null for a message, else the change's kind (its frame type).
ALTER TABLE messages ADD COLUMN kind TEXT CHECK (kind IN ('edit', 'delete', 'reaction', 'kick', 'ban', 'unban',
  'mute', 'role'));
-- The message an edit, deletion or reaction is about; null for messages and for changes about a member.
ALTER TABLE messages ADD COLUMN target INTEGER;
-- The frame's other fields as JSON (null: none): a message's edited, deleted and reactions as they are now; a
-- change's target, nick, emoji, seconds, until, role... text stays NOT NULL (SQLite cannot drop a NOT NULL): it is
-- '' when there is none (a deleted message, a change without text).
ALTER TABLE messages ADD COLUMN extra TEXT;
-- A deletion empties the text of the message's earlier edits: found by their target. Partial: edits only, so
-- messages (nearly every row) cost the one writer nothing more.
CREATE INDEX messages_edits_by_target ON messages (room, target) WHERE kind = 'edit';
-- A nick's standing in a room: its role beyond a member's, and until when it is banned or muted (epoch ms; 0: for
-- good; null: not). No row: none of these (a row left empty is deleted).
CREATE TABLE room_standing (
  room         TEXT    NOT NULL,
  nick         TEXT    NOT NULL,
  role         TEXT    CHECK (role IN ('owner', 'moderator')),
  banned_until INTEGER,
  muted_until  INTEGER,
  PRIMARY KEY (room, nick)
) WITHOUT ROWID;
