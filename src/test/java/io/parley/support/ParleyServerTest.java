package io.parley.support;

import io.parley.ParleyNode;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a real Parley node on port 0 (packaged defaults, plus {@link #overrides()}) before each test,
 * and gives tests real WebSocket clients of it. vertx-junit5 closes the Vertx, and so the node, after.
 */
@ExtendWith(VertxExtension.class)
public abstract class ParleyServerTest {

  protected Vertx vertx;
  protected ParleyNode node;
  private final List<TestClient> clients = new ArrayList<>();

  /** Config keys this test class changes. */
  protected JsonObject overrides() {
    return new JsonObject();
  }

  /**
   * The packaged defaults on loopback and port 0, with {@code overrides}: the default storage (SQLite) in a new
   * temporary {@code DATA_DIR}, unless the overrides name one.
   */
  public static ParleyConfig testConfig(JsonObject overrides) {
    return ParleyConfig.fromJson(ConfigLoader.defaults()
        .put(Settings.HTTP_HOST.name(), "127.0.0.1")
        .put(Settings.HTTP_PORT.name(), 0)
        .put(Settings.DATA_DIR.name(), temporaryDataDir())
        // A closed guest's nick is free at once, as tests that reconnect expect; the session TTL's own tests set it.
        .put(Settings.GUEST_SESSION_TTL_S.name(), 0)
        .mergeIn(overrides));
  }

  /** A new, empty folder for a node's embedded database, deleted when the JVM exits. */
  public static String temporaryDataDir() {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("parley-data-");
      dir.toFile().deleteOnExit();
      return dir.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @BeforeEach
  void startNode(Vertx vertx) {
    this.vertx = vertx;
    this.node = ParleyNode.deploy(vertx, testConfig(overrides())).await();
  }

  @AfterEach
  void closeClientsAndNode() {
    clients.forEach(TestClient::close);
    node.close().await();
  }

  /** A connected client that has not said hello. */
  protected TestClient anonymous() {
    return track(TestClient.connect(vertx, node.httpPort()));
  }

  /** A connected client welcomed as {@code nick}. */
  protected TestClient user(String nick) {
    return track(TestClient.user(vertx, node.httpPort(), nick));
  }

  /** A client with its own WebSocket client options (buffer sizes...), welcomed as {@code nick}. */
  protected TestClient userWith(String nick, io.vertx.core.http.WebSocketClientOptions options) {
    return track(TestClient.user(vertx, node.httpPort(), nick, options));
  }

  private TestClient track(TestClient client) {
    clients.add(client);
    return client;
  }
}
