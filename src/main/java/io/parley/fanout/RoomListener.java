package io.parley.fanout;

/**
 * A local recipient of a room's events; called on the event loop it subscribed from. The fan-out hands a listener
 * every event that is ready, then flushes it once: see {@link LoopDispatcher}.
 */
public interface RoomListener {

  /** Takes an event; true if it wrote something that waits for {@link #flush()} (and was not waiting yet). */
  boolean onRoomEvent(RoomEvent event);

  /** Sends what {@link #onRoomEvent} wrote. */
  void flush();
}
