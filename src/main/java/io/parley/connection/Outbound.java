package io.parley.connection;

import io.parley.fanout.RoomEvent;
import io.parley.metrics.ParleyMetrics.DropReason;
import io.parley.metrics.ParleyMetrics;

/**
 * A connection's way out, bounded: the one backpressure rule of every transport. While the transport is not
 * writable (its unsent bytes passed {@code OUTBOUND_QUEUE_BYTES}), presence and typing are dropped (they are hints;
 * the member list is resynced on the next join), and messages, answers and a big room's {@code count} (nothing
 * would resend it, and it comes at most about once a second) are still queued; when those alone add
 * another {@code OUTBOUND_QUEUE_BYTES} before it drains, the client is too far behind: {@code tooFarBehind} runs
 * (the connection closes it, 4001) and nothing more is written. A client that stops reading so costs at most about
 * twice that in the node's memory, plus the kernel's send buffer. Confined to the connection's event loop.
 */
final class Outbound {

  private final Transport transport;
  private final int queueBytes;
  private final ParleyMetrics metrics;
  private final Runnable tooFarBehind;
  private long overflow; // bytes queued past a full transport since it was last seen writable
  private long dropped;
  private boolean flushPending;
  private boolean stopped;

  Outbound(Transport transport, int queueBytes, ParleyMetrics metrics, Runnable tooFarBehind) {
    this.transport = transport;
    this.queueBytes = queueBytes;
    this.metrics = metrics;
    this.tooFarBehind = tooFarBehind;
  }

  /** A frame of the transport's protocol (a reply, an error): never dropped, counted against the bound. */
  void send(String frame) {
    if (admit(false)) {
      account(transport.write(frame));
    }
  }

  /** A room event; unflushed when {@code defer} (then {@link #flush()} follows). Presence and typing may drop. */
  void write(RoomEvent event, boolean defer) {
    if (admit(!event.isMessage() && !event.isCount())) {
      account(transport.write(event, defer));
      flushPending |= defer;
    }
  }

  /** Whether a deferred write awaits {@link #flush()}. */
  boolean flushPending() {
    return flushPending;
  }

  void flush() {
    if (flushPending) {
      flushPending = false;
      transport.flush();
    }
  }

  /** Nothing more is written (the connection is closing). */
  void stop() {
    stopped = true;
  }

  /** Presence and typing frames dropped so far. */
  long dropped() {
    return dropped;
  }

  private boolean admit(boolean droppable) {
    if (stopped || !transport.open()) {
      return false;
    }
    if (transport.writable()) {
      overflow = 0;
      return true;
    }
    if (droppable) {
      dropped++;
      metrics.dropped(DropReason.QUEUE_FULL);
      return false;
    }
    return true;
  }

  private void account(int bytes) {
    if (!transport.writable()) {
      overflow += bytes;
      if (overflow > queueBytes && !stopped) {
        stopped = true;
        tooFarBehind.run();
      }
    }
  }
}
