package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Parley's own meters, in the node's Micrometer registry next to Vert.x's (HTTP, event bus, pools, JVM), scraped
 * at {@code /metrics}. Names as Prometheus shows them:
 * <ul>
 *   <li>{@code parley_connections{transport}}: open {@code /ws} and bridge connections on this node;</li>
 *   <li>{@code parley_rooms}: rooms this node serves (rooms with local members or bridge registrations);</li>
 *   <li>{@code parley_messages_in_total}: messages this node accepted and stored;</li>
 *   <li>{@code parley_deliveries_total}: room events this node handed to its connections, {@code /ws} and bridge
 *       (those then dropped for a full queue are also counted under {@code parley_drops_total{reason="queue_full"}});</li>
 *   <li>{@code parley_drops_total{reason}}: what was refused or dropped, by {@link DropReason};</li>
 *   <li>{@code parley_delivery_latency_seconds}: from a message's acceptance ({@code ts}, on whichever node) to its
 *       hand-out to this node's connections, once per message and node; a histogram.</li>
 * </ul>
 * Counted per batch or per message, not per recipient, on the hot path. {@link #disabled()} counts nothing.
 */
public final class ParleyMetrics {

  /** Why a frame or a connection was dropped; the {@code reason} label. */
  public enum DropReason {
    /** A presence or typing frame not queued to a client that is behind. */
    QUEUE_FULL,
    /** A connection closed as a slow consumer (4001). */
    SLOW_CONSUMER,
    /** A client frame refused past the rate limit. */
    RATE_LIMITED,
    /** A connection closed after a silence of HEARTBEAT_TIMEOUT_MS (4000). */
    HEARTBEAT_TIMEOUT,
    /** A connection refused over MAX_CONNECTIONS_PER_IP. */
    CONNECTION_LIMIT;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry scrapable; // null: nothing to scrape
  private final AtomicInteger wsConnections = new AtomicInteger();
  private final AtomicInteger bridgeConnections = new AtomicInteger();
  private final Counter messagesIn;
  private final Counter deliveries;
  private final Map<DropReason, Counter> drops = new EnumMap<>(DropReason.class);
  private final Timer deliveryLatency;
  private final Counter webhooksQueued;
  private final Counter webhooksDelivered;
  private final Counter webhooksFailed;
  private final Counter webhooksDropped;

  private ParleyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.scrapable = registry instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
    Gauge.builder("parley.connections", wsConnections, AtomicInteger::get).tag("transport", "ws")
        .description("open connections on this node").register(registry);
    Gauge.builder("parley.connections", bridgeConnections, AtomicInteger::get).tag("transport", "bridge")
        .description("open connections on this node").register(registry);
    messagesIn = Counter.builder("parley.messages.in").description("messages accepted and stored by this node")
        .register(registry);
    deliveries = Counter.builder("parley.deliveries").description("room events handed to connections (/ws and bridge)")
        .register(registry);
    for (DropReason reason : DropReason.values()) {
      drops.put(reason, Counter.builder("parley.drops").tag("reason", reason.label())
          .description("frames dropped or refused, and connections closed or refused, by reason").register(registry));
    }
    deliveryLatency = Timer.builder("parley.delivery.latency")
        .description("from a message's acceptance to its hand-out to this node's sockets")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    webhooksQueued = Counter.builder("parley.webhooks.queued")
        .description("room events this node queued for the webhook receiver").register(registry);
    webhooksDelivered = Counter.builder("parley.webhooks.delivered")
        .description("webhooks this node delivered (answered 2xx)").register(registry);
    webhooksFailed = Counter.builder("parley.webhooks.failed")
        .description("webhook attempts of this node that failed (each is tried again later)").register(registry);
    webhooksDropped = Counter.builder("parley.webhooks.dropped")
        .description("room events not queued because the webhook queue was full (WEBHOOK_QUEUE_MAX)")
        .register(registry);
  }

  /** Meters registered in {@code registry}. */
  public static ParleyMetrics create(PrometheusMeterRegistry registry) {
    return new ParleyMetrics(registry);
  }

  /** The rooms gauge reads {@code rooms} (the fan-out's count, once it exists). */
  public void measureRooms(Supplier<Number> rooms) {
    Gauge.builder("parley.rooms", rooms).description("rooms this node serves").register(registry);
  }

  /**
   * The webhook gauges: events this node has yet to write to the outbox ({@code unwritten}) and the outbox's size
   * as last counted ({@code waiting}; shared by a cluster on PostgreSQL, so every node reports the same).
   */
  public void measureWebhooks(Supplier<Number> unwritten, Supplier<Number> waiting) {
    Gauge.builder("parley.webhooks.unwritten", unwritten).description("webhooks not yet in the outbox")
        .register(registry);
    Gauge.builder("parley.webhooks.waiting", waiting).description("webhooks in the outbox, waiting for delivery")
        .register(registry);
  }

  public void webhookQueued() {
    webhooksQueued.increment();
  }

  public void webhookDelivered() {
    webhooksDelivered.increment();
  }

  public void webhookFailed() {
    webhooksFailed.increment();
  }

  public void webhookDropped(long events) {
    webhooksDropped.increment(events);
  }

  /** Meters that count nothing (METRICS_ENABLED=false, and tests that do not look). */
  public static ParleyMetrics disabled() {
    return new ParleyMetrics(new CompositeMeterRegistry());
  }

  /** The registry that {@code /metrics} scrapes, if metrics are on. */
  public java.util.Optional<PrometheusMeterRegistry> registry() {
    return java.util.Optional.ofNullable(scrapable);
  }

  public void connectionOpened(boolean bridge) {
    (bridge ? bridgeConnections : wsConnections).incrementAndGet();
  }

  public void connectionClosed(boolean bridge) {
    (bridge ? bridgeConnections : wsConnections).decrementAndGet();
  }

  public void messageIn() {
    messagesIn.increment();
  }

  public void delivered(int frames) {
    if (frames > 0) {
      deliveries.increment(frames);
    }
  }

  public void dropped(DropReason reason) {
    drops.get(reason).increment();
  }

  /** A message accepted at {@code acceptedMillis} (epoch) is being handed out now. */
  public void handedOut(long acceptedMillis) {
    long latency = System.currentTimeMillis() - acceptedMillis;
    if (latency >= 0) {
      deliveryLatency.record(latency, TimeUnit.MILLISECONDS);
    }
  }
}
