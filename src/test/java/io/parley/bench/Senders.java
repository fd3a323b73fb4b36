package io.parley.bench;

import io.vertx.core.Vertx;

/**
 * The sending connections (sender j is connection j, in room j % rooms). Each sends at the same message rate, set
 * so that messages x members of their rooms make the target deliveries/s. A timer every {@value #TICK_MS} ms
 * sends what is due by then; each sender's phase is shifted so that slow senders do not all send on one tick.
 */
final class Senders {

  private static final int TICK_MS = 10;

  private final Vertx vertx;
  private final Options options;
  private final Protocol protocol;
  private final Stats stats;
  private final Fleet fleet;
  private final String padding;
  private final int[] sent;
  private final int[] sentAtStart;
  private final long fanOut;
  private double messagesPerS;
  private long startNanos;
  private long timer = -1;

  Senders(Vertx vertx, Options options, Protocol protocol, Stats stats, Fleet fleet) {
    this.vertx = vertx;
    this.options = options;
    this.protocol = protocol;
    this.stats = stats;
    this.fleet = fleet;
    this.sent = new int[options.senders()];
    this.sentAtStart = new int[options.senders()];
    long members = 0;
    for (int sender = 0; sender < options.senders(); sender++) {
      members += options.members(sender % options.rooms());
    }
    this.fanOut = members;
    // the marker takes about 30 characters; the rest of --text-bytes is padding
    this.padding = "x".repeat(Math.max(0, options.textBytes() - 30));
  }

  /** Messages sent so far, by sender: the next message's seq. */
  int[] sent() {
    return sent;
  }

  void start(double deliveriesPerS) {
    messagesPerS = deliveriesPerS / fanOut;
    System.arraycopy(sent, 0, sentAtStart, 0, sent.length);
    startNanos = System.nanoTime();
    timer = vertx.setPeriodic(TICK_MS, id -> tick());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void tick() {
    double elapsedS = (System.nanoTime() - startNanos) / 1e9;
    for (int sender = 0; sender < sent.length; sender++) {
      double phase = (sender + 0.5) / sent.length;
      long due = sentAtStart[sender] + (long) Math.floor(messagesPerS * elapsedS + phase);
      while (sent[sender] < due) {
        send(sender);
      }
    }
  }

  private void send(int sender) {
    Connection connection = fleet.get(sender);
    String text = "~" + sender + ":" + sent[sender]++ + ":" + System.nanoTime() + "~" + padding;
    connection.write(protocol.send(connection.room(), text));
    stats.sent(sender);
  }
}
