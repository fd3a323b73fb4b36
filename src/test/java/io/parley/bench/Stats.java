package io.parley.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was sent and what arrived, counted on the event loop. A message's text carries the marker
 * {@code ~<sender>:<seq>:<System.nanoTime()>~}, which a receiver finds by scanning the frame's bytes (no JSON
 * parsing per delivery). One process sends and receives, so sender and receiver share one clock.
 *
 * <p>A step's measurement window counts the messages sent in it ({@code sent}, and {@code delivered}: how many of
 * their expected deliveries arrived, whenever) and the deliveries received while it is open ({@code received},
 * for the achieved rate). Latencies are those of the window's messages, in microseconds.
 *
 * <p>{@code first*} is the latency of each message's first delivery, whichever member it reached: the server's
 * own delay before it starts writing, without the time this process takes to read the rest of a fan-out (one
 * core reading 1,000 sockets takes longer than the server takes to write them, so the later members' latency is
 * mostly this process's queue, the same for every server).
 */
final class Stats {

  private static final Logger log = LoggerFactory.getLogger(Stats.class);
  private static final long MAX_LATENCY_US = TimeUnit.MINUTES.toMicros(10);

  private final Options options;
  private final Histogram latencyUs = new Histogram(MAX_LATENCY_US, 3);
  private final Histogram firstLatencyUs = new Histogram(MAX_LATENCY_US, 3);
  // per sender, the highest seq whose first delivery arrived
  private final int[] firstSeen;
  // the window's messages: seqs from windowFirstSeq[sender] (inclusive) to windowEndSeq[sender] (exclusive)
  private final int[] windowFirstSeq;
  private final int[] windowEndSeq;
  private long windowStartNanos = Long.MAX_VALUE;
  private long windowEndNanos = Long.MAX_VALUE;
  private boolean windowOpen;
  // since the start, for the drain: every expected delivery, and every one that arrived (once)
  private long expected;
  private long arrived;
  // this step
  private long received;
  private long delivered;
  private long duplicates;
  private long outOfOrder;
  private long malformed;
  private long disconnects;
  private boolean finished;
  // where the marker parser is in the frame
  private int pos;

  Stats(Options options) {
    this.options = options;
    this.windowFirstSeq = new int[options.senders()];
    this.windowEndSeq = new int[options.senders()];
    this.firstSeen = new int[options.senders()];
    Arrays.fill(firstSeen, -1);
  }

  /** Sender {@code sender} sent one more message: every member of its room, itself included, should get it. */
  void sent(int sender) {
    expected += options.members(sender % options.rooms());
  }

  boolean allArrived() {
    return arrived == expected;
  }

  /** A new step: counters start again; its window is not open yet (warm-up). */
  void startStep() {
    received = delivered = duplicates = outOfOrder = malformed = disconnects = 0;
    latencyUs.reset();
    firstLatencyUs.reset();
    windowStartNanos = windowEndNanos = Long.MAX_VALUE;
  }

  /** The measurement window opens; {@code sent} is how many messages each sender has sent so far. */
  void openWindow(int[] sent) {
    System.arraycopy(sent, 0, windowFirstSeq, 0, sent.length);
    Arrays.fill(windowEndSeq, Integer.MAX_VALUE);
    windowStartNanos = System.nanoTime();
    windowOpen = true;
  }

  void closeWindow(int[] sent) {
    System.arraycopy(sent, 0, windowEndSeq, 0, sent.length);
    windowEndNanos = System.nanoTime();
    windowOpen = false;
  }

  /** Counts the delivery whose marker follows {@code from} in {@code frame}; returns where the marker ends. */
  int delivery(Connection receiver, Buffer frame, int from) {
    long now = System.nanoTime();
    pos = from;
    while (pos < frame.length() && frame.getByte(pos) != '~') {
      pos++;
    }
    pos++;
    long sender = number(frame, ':');
    long seq = number(frame, ':');
    long sentNanos = number(frame, '~');
    int slot = (int) (sender / options.rooms());
    if (sender < 0 || seq < 0 || sentNanos < 0 || sender >= options.senders() || sender % options.rooms() != receiver.roomIndex()
        || !receiver.hasSlot(slot)) {
      malformed++;
      return pos;
    }
    int outcome = receiver.arrived(slot, (int) seq);
    if (outcome == Connection.DUPLICATE) {
      duplicates++;
      return pos;
    }
    if (outcome == Connection.OUT_OF_ORDER) {
      outOfOrder++;
    }
    arrived++;
    if (windowOpen) {
      received++;
    }
    boolean first = seq > firstSeen[(int) sender];
    if (first) {
      firstSeen[(int) sender] = (int) seq;
    }
    if (seq >= windowFirstSeq[(int) sender] && seq < windowEndSeq[(int) sender]) {
      delivered++;
      long latency = Math.min(MAX_LATENCY_US, Math.max(0, (now - sentNanos) / 1000));
      latencyUs.recordValue(latency);
      if (first) {
        firstLatencyUs.recordValue(latency);
      }
    }
    return pos;
  }

  /** The run is over: the connections that close now are closed by us. */
  void finish() {
    finished = true;
  }

  void disconnected(Connection connection, Short code) {
    if (!finished && disconnects++ < 5) {
      log.warn("connection {} closed by the server ({})", connection.index(), code);
    }
  }

  /** Deliveries received while the window was open. */
  long received() {
    return received;
  }

  /** This step's counts, once its window closed and the drain is over. */
  JsonObject stepResult() {
    long sent = 0;
    long expectedInWindow = 0;
    for (int sender = 0; sender < windowFirstSeq.length; sender++) {
      int count = windowEndSeq[sender] - windowFirstSeq[sender];
      sent += count;
      expectedInWindow += (long) count * options.members(sender % options.rooms());
    }
    return new JsonObject()
        .put("sent", sent)
        .put("delivered", delivered)
        .put("lost", expectedInWindow - delivered)
        .put("duplicates", duplicates)
        .put("outOfOrder", outOfOrder)
        .put("malformed", malformed)
        .put("disconnects", disconnects)
        .put("latencyCount", latencyUs.getTotalCount())
        .put("p50Ms", percentileMs(50))
        .put("p90Ms", percentileMs(90))
        .put("p99Ms", percentileMs(99))
        .put("p999Ms", percentileMs(99.9))
        .put("maxMs", latencyUs.getTotalCount() == 0 ? null : latencyUs.getMaxValue() / 1000.0)
        .put("firstP50Ms", percentileMs(firstLatencyUs, 50))
        .put("firstP99Ms", percentileMs(firstLatencyUs, 99));
  }

  private Double percentileMs(double percentile) {
    return percentileMs(latencyUs, percentile);
  }

  private static Double percentileMs(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? null : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The decimal number at {@link #pos}, which must end with {@code end}; -1 if it does not. */
  private long number(Buffer frame, char end) {
    long value = 0;
    int start = pos;
    while (pos < frame.length()) {
      byte b = frame.getByte(pos++);
      if (b == end) {
        return pos - 1 > start ? value : -1;
      }
      if (b < '0' || b > '9') {
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return -1;
  }
}
