package io.parley.store;

/**
 * A room as the store keeps it: its name, its epoch (the same as long as its history is kept), when it was created,
 * its newest message id, and when a message was last sent to it (epoch ms; its creation before that).
 */
public record RoomRecord(String name, String epoch, long created, long lastId, long lastActive) {
}
