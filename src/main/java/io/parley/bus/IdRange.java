package io.parley.bus;

/** The ids {@code from..to} of a room: what a node filling a gap asks {@link Addresses#HISTORY_RANGE} for. */
public record IdRange(String room, long from, long to) {
}
