package io.parley.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/** Vert.x's metrics in a Prometheus registry that Parley's own meters ({@link ParleyMetrics}) share. */
public final class MetricsSetup {

  private MetricsSetup() {
  }

  /**
   * Turns Vert.x's metrics on in {@code builder}, recording into {@code registry}. Event-bus addresses are a label,
   * so per-room and per-reply addresses are folded into one value each: a label value per room would grow without
   * bound. {@code eventBus} ({@code METRICS_EVENT_BUS}): with the event bus's own meters, which Vert.x looks up by
   * address for every message and reply (a few percent of a node's CPU in scenario b); off, Parley's meters still
   * count messages and deliveries.
   */
  public static VertxBuilder enable(VertxBuilder builder, VertxOptions options, PrometheusMeterRegistry registry,
      boolean eventBus) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // No HTTP method label: a client can make up methods, and each would be a new series for good.
        .setLabels(EnumSet.of(Label.HTTP_CODE, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE,
            Label.POOL_TYPE, Label.POOL_NAME))
        .addLabelMatch(fold("__vertx\\..+", "__vertx.*"))
        .addLabelMatch(fold("[0-9a-f-]{36}", "(reply)"));
    if (!eventBus) {
      metrics.addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    }
    options.setMetricsOptions(metrics);
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  private static Match fold(String regex, String alias) {
    return new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel(Label.EB_ADDRESS.toString())
        .setType(MatchType.REGEX).setValue(regex).setAlias(alias);
  }
}
