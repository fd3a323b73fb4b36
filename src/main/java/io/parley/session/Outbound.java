package io.parley.session;

import io.vertx.core.http.ServerWebSocket;

/**
 * A connection's way out, bounded. Vert.x queues what the socket cannot take yet; once that queue holds
 * {@code OUTBOUND_QUEUE_BYTES}, presence and typing frames are dropped (they are hints, and the member list is
 * resynced on the next join), and messages and answers are still queued; when those alone add another
 * {@code OUTBOUND_QUEUE_BYTES} before the queue drains, the client is too far behind and the session closes it
 * (4001); it resumes with {@code since}. So a client that stops reading costs at most about twice that in the
 * node's memory, plus the kernel's send buffer ({@code SOCKET_SEND_BUFFER_BYTES}). No allocation per frame.
 */
final class Outbound {

  private final ServerWebSocket socket;
  private final int queueBytes;
  private long overflow; // characters queued past a full queue since it last drained
  private long dropped;

  Outbound(ServerWebSocket socket, int queueBytes) {
    this.socket = socket;
    this.queueBytes = queueBytes;
    socket.setWriteQueueMaxSize(queueBytes);
    socket.drainHandler(v -> overflow = 0);
  }

  /** Queues a frame, or drops it if it may be dropped and the queue is full; false: too far behind, close. */
  boolean write(String json, boolean droppable) {
    if (socket.isClosed()) {
      return true; // writeQueueFull() throws once closed; nothing to do
    }
    if (socket.writeQueueFull()) {
      if (droppable) {
        dropped++;
        return true;
      }
      overflow += json.length();
      if (overflow > queueBytes) {
        return false;
      }
    }
    socket.writeTextMessage(json);
    return true;
  }

  /** Whether a ping is worth sending: not into a full queue. */
  boolean hasRoom() {
    return !socket.isClosed() && !socket.writeQueueFull();
  }

  long dropped() {
    return dropped;
  }
}
