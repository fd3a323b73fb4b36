package io.parley.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} on a port of its own ({@code METRICS_PORT} on {@code METRICS_HOST}), so that the public HTTP
 * port does not show every visitor the node's internals; the scraper reaches it on the private network. Ready once
 * it listens: a taken port fails the node's deployment.
 */
public final class MetricsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);

  private final PrometheusMeterRegistry registry;
  private final String host;
  private final int port;

  public MetricsVerticle(PrometheusMeterRegistry registry, String host, int port) {
    this.registry = registry;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    // HTTP/1.1 only, as on the HTTP port: a client's h2c upgrade was seen to hang a scrape.
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .listen(port, host)
        .onSuccess(server -> log.info("metrics at http://{}:{}/metrics", host, server.actualPort()));
  }
}
