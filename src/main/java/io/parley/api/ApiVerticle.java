package io.parley.api;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.node.NodeStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API on a port of its own ({@code API_PORT} on {@code API_HOST}), so that an operator keeps it off the
 * public balancer and reaches it from the backend's network only. Ready once it listens: a taken port fails the
 * node's deployment. Without {@code API_PORT} the HTTP verticles serve the API on the HTTP port instead.
 */
public final class ApiVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ApiVerticle.class);

  private final ParleyConfig config;
  private final NodeStatus status;

  public ApiVerticle(ParleyConfig config, NodeStatus status) {
    this.config = config;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new ServerApi(vertx, config).mount(router);
    String host = config.get(Settings.API_HOST);
    // HTTP/1.1 only, as on the HTTP port: a client's h2c upgrade was seen to hang a request.
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(router)
        .listen(config.get(Settings.API_PORT), host)
        .onSuccess(server -> {
          status.apiPort(server.actualPort());
          log.info("server API at http://{}:{}{}", host, server.actualPort(), ServerApi.PREFIX);
        });
  }
}
