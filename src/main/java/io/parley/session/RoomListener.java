package io.parley.session;

/** A local recipient of room events; called on the event loop of the context it subscribed from. */
public interface RoomListener {

  void onRoomEvent(RoomEvent event);
}
