package io.parley.common;

import java.util.concurrent.TimeUnit;

/**
 * Bounds how often a log line that clients can cause is written: at most {@code perWindow} in each window, the
 * rest counted and reported with the next line written. A client that floods a node must not flood its logs too
 * (their disk, their shipping), nor hide what else happens in them.
 */
public final class LogThrottle {

  private final long windowNanos;
  private final int perWindow;
  private long windowStart;
  private int inWindow;
  private long suppressed;
  private boolean started;

  public LogThrottle(long window, TimeUnit unit, int perWindow) {
    this.windowNanos = unit.toNanos(window);
    this.perWindow = perWindow;
  }

  /** At most {@code lines} lines a minute. */
  public static LogThrottle perMinute(int lines) {
    return new LogThrottle(1, TimeUnit.MINUTES, lines);
  }

  /**
   * Whether to write the line now ({@code nowNanos}: {@link System#nanoTime()}): -1 if not (it is counted), else
   * how many were left out since the last one written, to say so in it.
   */
  public synchronized long admit(long nowNanos) {
    if (!started || nowNanos - windowStart >= windowNanos) {
      started = true;
      windowStart = nowNanos;
      inWindow = 0;
    }
    if (inWindow >= perWindow) {
      suppressed++;
      return -1;
    }
    inWindow++;
    long left = suppressed;
    suppressed = 0;
    return left;
  }

  public long admit() {
    return admit(System.nanoTime());
  }

  /** What to add to a line written after {@code left} were left out: empty, or a note saying how many. */
  public static String note(long left) {
    return left > 0 ? " (" + left + " more like it were not logged)" : "";
  }
}
