package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection of a run: connection i goes to server i % servers and room i % rooms. They connect at most
 * {@value #CONCURRENT} at a time, each one opening its session and joining before the next starts.
 */
final class Fleet {

  private static final Logger log = LoggerFactory.getLogger(Fleet.class);
  private static final int CONCURRENT = 200;

  private final Options options;
  private final Protocol protocol;
  private final WebSocketClient client;
  private final List<Connection> connections = new ArrayList<>();
  private int next;
  private int ready;

  Fleet(Vertx vertx, Options options, Protocol protocol, Stats stats) {
    this(vertx, options, protocol, stats, 0);
  }

  /** A fleet whose connections are numbered from {@code firstIndex} (their nicks, rooms and servers follow). */
  Fleet(Vertx vertx, Options options, Protocol protocol, Stats stats, int firstIndex) {
    this.options = options;
    this.protocol = protocol;
    // past maxConnections (per server), the client queues connects instead of making them
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(options.connections() + CONCURRENT)
        .setConnectTimeout(10_000)
        .setTcpNoDelay(true));
    for (int i = firstIndex; i < firstIndex + options.connections(); i++) {
      connections.add(new Connection(i, options.rooms(), options.sendersIn(i % options.rooms()), protocol, stats));
    }
  }

  Connection get(int index) {
    return connections.get(index);
  }

  /** Connects and joins everyone; fails with the first connection that cannot. Call on the event loop. */
  Future<Void> connect() {
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < Math.min(CONCURRENT, connections.size()); i++) {
      chains.add(connectNext());
    }
    return Future.all(chains).mapEmpty();
  }

  /** Closes every connection; completes once all are closed. Call on the event loop. */
  Future<Void> close() {
    return Future.all(connections.stream().map(Connection::close).toList()).mapEmpty();
  }

  private Future<Void> connectNext() {
    if (next == connections.size()) {
      return Future.succeededFuture();
    }
    Connection connection = connections.get(next++);
    return connect(connection).compose(v -> {
      if (++ready % 1000 == 0 || ready == connections.size()) {
        log.info("{} of {} connections joined", ready, connections.size());
      }
      return connectNext();
    });
  }

  private Future<Void> connect(Connection connection) {
    String server = options.servers().get(connection.index() % options.servers().size());
    int colon = server.lastIndexOf(':');
    WebSocketConnectOptions connect = new WebSocketConnectOptions()
        .setHost(server.substring(0, colon))
        .setPort(Integer.parseInt(server.substring(colon + 1)))
        .setURI(protocol.uri(connection))
        .setTimeout(30_000);
    return client.connect(connect)
        .compose(socket -> connection.start(socket).timeout(30, java.util.concurrent.TimeUnit.SECONDS))
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "connection " + connection.index() + " to " + server + " failed: " + e.getMessage(), e)));
  }
}
