package io.parley.store;

/**
 * A room as the store keeps it: its name, its epoch (the same as long as its history is kept), when it was created,
 * its newest message id, when a message was last sent to it (epoch ms; its creation before that), its kind, and its
 * owner (the creator of a private room or, since schema version 3, of a public one; null for direct rooms and for
 * public rooms created before).
 */
public record RoomRecord(String name, String epoch, long created, long lastId, long lastActive, RoomKind kind,
    String owner) {

  /** A public room. */
  public RoomRecord(String name, String epoch, long created, long lastId, long lastActive) {
    this(name, epoch, created, lastId, lastActive, RoomKind.PUBLIC, null);
  }

  public RoomRecord {
    if (kind == null) {
      kind = RoomKind.PUBLIC;
    }
  }
}
