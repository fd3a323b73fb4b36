package io.parley.connection;

import java.util.concurrent.ThreadLocalRandom;

/**
 * When a connection is pinged, and when it is taken for dead: nothing heard for {@code HEARTBEAT_TIMEOUT_MS}. The
 * first ping is due at a random point of the first interval, so that connections that arrived together (a restart,
 * a benchmark) are not all pinged in the same instant, nor their pongs read in the same instant (10,000 at once held
 * a node's event loop for 400 ms). Pure: the caller gives the time.
 */
final class Heartbeat {

  /** What a tick finds. */
  enum Verdict {
    QUIET, PING, DEAD
  }

  private final long intervalNanos;
  private final long timeoutNanos;
  private long lastHeard;
  private long nextPing;

  Heartbeat(long intervalNanos, long timeoutNanos, long nowNanos) {
    this.intervalNanos = intervalNanos;
    this.timeoutNanos = timeoutNanos;
    this.lastHeard = nowNanos;
    this.nextPing = nowNanos + ThreadLocalRandom.current().nextLong(intervalNanos);
  }

  void heard(long nowNanos) {
    lastHeard = nowNanos;
  }

  Verdict tick(long nowNanos) {
    if (nowNanos - lastHeard > timeoutNanos) {
      return Verdict.DEAD;
    }
    if (nowNanos - nextPing >= 0) {
      nextPing = nowNanos + intervalNanos;
      return Verdict.PING;
    }
    return Verdict.QUIET;
  }
}
