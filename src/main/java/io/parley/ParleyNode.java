package io.parley;

import io.parley.chat.ChatVerticle;
import io.parley.config.ParleyConfig;
import io.parley.http.HttpVerticle;
import io.parley.session.RoomFanout;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * One Parley node on a given Vertx: the chat service, then one HTTP verticle per event loop. Used by
 * {@link Main} and by the tests, so both run exactly the same thing.
 */
public final class ParleyNode {

  private final Vertx vertx;
  private final NodeStatus status;
  private final List<String> deployments;
  private Future<Void> closing;

  private ParleyNode(Vertx vertx, NodeStatus status, List<String> deployments) {
    this.vertx = vertx;
    this.status = status;
    this.deployments = List.copyOf(deployments);
  }

  /** The Vertx options a node wants from its config. */
  public static VertxOptions vertxOptions(ParleyConfig config) {
    VertxOptions options = new VertxOptions();
    if (config.eventLoops() > 0) {
      options.setEventLoopPoolSize(config.eventLoops());
    }
    return options;
  }

  /** Deploys every verticle; fails (a taken port, say) if any of them fails to start. */
  public static Future<ParleyNode> deploy(Vertx vertx, ParleyConfig config) {
    NodeStatus status = new NodeStatus();
    RoomFanout fanout = new RoomFanout(vertx);
    int httpInstances = config.eventLoops() > 0 ? config.eventLoops() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    List<String> deployments = new ArrayList<>();
    return vertx.deployVerticle(new ChatVerticle(config))
        .onSuccess(deployments::add)
        .compose(chat -> vertx.deployVerticle(() -> new HttpVerticle(config, fanout, status),
            new DeploymentOptions().setInstances(httpInstances)))
        .onSuccess(deployments::add)
        .map(http -> {
          status.markReady();
          return new ParleyNode(vertx, status, deployments);
        })
        .recover(failure -> undeployAll(vertx, deployments).transform(v -> Future.failedFuture(failure)));
  }

  /**
   * Stops the node in the reverse order: the HTTP side first (its sessions close and say goodbye to the
   * chat service), then the chat service.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = undeployAll(vertx, deployments);
    }
    return closing;
  }

  private static Future<Void> undeployAll(Vertx vertx, List<String> deployments) {
    Future<Void> done = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      done = done.eventually(() -> vertx.undeploy(id));
    }
    return done;
  }

  public int httpPort() {
    return status.httpPort();
  }

  public Vertx vertx() {
    return vertx;
  }
}
