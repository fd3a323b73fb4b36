package io.parley.session;

/**
 * A local recipient of room events; called on the event loop of the context it subscribed from. The fan-out
 * hands a listener every event that is ready, then flushes it once: see {@link RoomFanout}.
 */
public interface RoomListener {

  /** Takes an event; true if it wrote something that waits for {@link #flush()} (and was not waiting yet). */
  boolean onRoomEvent(RoomEvent event);

  /** Sends what {@link #onRoomEvent} wrote. */
  void flush();
}
