package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.support.Eventually;
import io.parley.support.ParleyServerTest;
import io.parley.support.Ports;
import io.parley.support.TcpConnections;
import io.parley.support.TestClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who can reach a cluster's ports, with real Hazelcast members and clustered event buses on loopback: the ports
 * listen on {@code CLUSTER_HOST} only (the kernel's own view), a node without the cluster's {@code CLUSTER_SECRET}
 * is kept out of the member list, and with {@code CLUSTER_TLS_KEYSTORE} the event bus takes only TLS peers that
 * hold the key store, while chat still crosses nodes.
 */
class ClusterSecurityTest {

  private static final String PASSWORD = "cluster-test-password";

  /** One clustered node: its Vertx, its Hazelcast member, its configuration and, if deployed, Parley on it. */
  private record Node(Vertx vertx, HazelcastClusterManager manager, ParleyConfig config, ParleyNode parley) {

    int memberCount() {
      return manager.getHazelcastInstance().getCluster().getMembers().size();
    }

    void close() {
      (parley == null ? Future.succeededFuture() : parley.close()).eventually(vertx::close).await();
    }
  }

  @TempDir
  Path dir;

  private final List<Node> nodes = new ArrayList<>();
  private final List<TestClient> clients = new ArrayList<>();
  private Vertx outsider;

  @AfterEach
  void stop() {
    clients.forEach(TestClient::close);
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    if (outsider != null) {
      outsider.close().await();
    }
  }

  /**
   * Nodes on loopback, each with its own Hazelcast and event-bus port, every one listing every other, each with its
   * own {@code overrides}; Parley deployed on them if {@code deploy}.
   */
  private List<Node> start(boolean deploy, JsonObject... overrides) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < overrides.length; i++) {
      ports.add(Ports.free());
    }
    JsonArray members = new JsonArray(ports.stream().map(port -> "127.0.0.1:" + port).toList());
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < overrides.length; i++) {
      ParleyConfig config = ParleyServerTest.testConfig(new JsonObject()
          .put(Settings.CLUSTER_ENABLED.name(), true)
          .put(Settings.CLUSTER_HOST.name(), "127.0.0.1")
          .put(Settings.HAZELCAST_PORT.name(), ports.get(i))
          .put(Settings.EVENTBUS_PORT.name(), Ports.free())
          .put(Settings.CLUSTER_MEMBERS.name(), members)
          .put(Settings.CLUSTER_FAILURE_TIMEOUT_S.name(), 4)
          .put(Settings.EVENT_LOOPS.name(), 2)
          .put(Settings.STORAGE.name(), "memory")
          .mergeIn(overrides[i]));
      HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.hazelcastConfig(config));
      Vertx vertx = HazelcastSetup.startClustered(config, ParleyNode.vertxOptions(config), manager);
      ParleyNode parley = deploy ? ParleyNode.deploy(vertx, config, manager, null).await() : null;
      Node node = new Node(vertx, manager, config, parley);
      nodes.add(node);
      started.add(node);
    }
    return started;
  }

  private static JsonObject secret(String secret) {
    return new JsonObject().put(Settings.CLUSTER_SECRET.name(), secret);
  }

  @Test
  void a_node_on_loopback_listens_on_loopback_only_with_both_cluster_ports() {
    Node node = start(false, new JsonObject()).get(0);
    assertEquals(List.of("127.0.0.1"), TcpConnections.listening(node.config().get(Settings.HAZELCAST_PORT)),
        "Hazelcast's port, not every interface");
    assertEquals(List.of("127.0.0.1"), TcpConnections.listening(node.config().get(Settings.EVENTBUS_PORT)),
        "the event bus's port");
  }

  @Test
  void cluster_bind_host_is_what_both_ports_bind_and_cluster_host_what_is_advertised() {
    ParleyConfig config = ParleyServerTest.testConfig(new JsonObject()
        .put(Settings.CLUSTER_HOST.name(), "chat-3.example.com")
        .put(Settings.CLUSTER_BIND_HOST.name(), "10.0.0.3"));
    com.hazelcast.config.Config hazelcast = HazelcastSetup.hazelcastConfig(config);
    assertEquals("10.0.0.3", hazelcast.getProperty("hazelcast.local.localAddress"));
    assertEquals("false", hazelcast.getProperty("hazelcast.socket.server.bind.any"));
    assertEquals("chat-3.example.com:5701", hazelcast.getNetworkConfig().getPublicAddress());
    assertEquals("10.0.0.3", HazelcastSetup.eventBusOptions(config).getHost());
    assertEquals("chat-3.example.com", HazelcastSetup.eventBusOptions(config).getClusterPublicHost());
  }

  @Test
  void only_nodes_with_the_cluster_secret_join_the_cluster() {
    List<Node> started = start(false, secret("correct horse battery staple"), secret("correct horse battery staple"),
        secret("another secret"), secret(""));
    assertEquals(2, started.get(0).memberCount(), "the two with the secret");
    assertEquals(2, started.get(1).memberCount());
    assertEquals(1, started.get(2).memberCount(), "another secret: alone");
    assertEquals(1, started.get(3).memberCount(), "no secret: alone");
    String name = started.get(0).manager().getHazelcastInstance().getConfig().getClusterName();
    assertTrue(name.startsWith("parley-") && !name.contains("horse"), "the secret never is the name: " + name);
  }

  @Test
  void with_a_tls_key_store_chat_crosses_nodes_and_the_event_bus_takes_only_holders_of_the_key_store()
      throws Exception {
    String keyStore = keyStore(dir.resolve("cluster.p12"));
    JsonObject tls = new JsonObject().put(Settings.CLUSTER_TLS_KEYSTORE.name(), keyStore)
        .put(Settings.CLUSTER_TLS_PASSWORD.name(), PASSWORD);
    List<Node> started = start(true, tls, tls);
    // Chat's first Hazelcast writes wait for partitions still migrating to the new member: let them settle first.
    Eventually.await(started.get(0).vertx(),
        () -> started.get(0).manager().getHazelcastInstance().getPartitionService().isClusterSafe(), "cluster safe");
    TestClient alice = client(started.get(0), "alice");
    TestClient bob = client(started.get(1), "bob");
    alice.join("sealed");
    bob.join("sealed");
    alice.expect("presence");
    JsonObject said = bob.say("sealed", "over TLS");
    assertEquals(said.getLong("id"), alice.expect("message").getLong("id"));

    outsider = Vertx.vertx();
    int eventBusPort = started.get(0).config().get(Settings.EVENTBUS_PORT);
    NetClientOptions withKeyStore = tlsClient().setKeyCertOptions(pkcs12(keyStore))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"));
    // Connected means handshaken: in TLS 1.2 the node checks the client's certificate before it finishes.
    connect(withKeyStore, eventBusPort).await(10, TimeUnit.SECONDS).close();
    assertTrue(refused(new NetClientOptions(), eventBusPort), "plain TCP is cut off");
    assertTrue(refused(tlsClient(), eventBusPort), "TLS without the key store is refused");
    assertTrue(refused(tlsClient().setEnabledSecureTransportProtocols(Set.of("TLSv1.2")), eventBusPort),
        "TLS 1.2 without the key store is refused");
  }

  @Test
  void a_key_store_that_cannot_be_opened_is_refused_before_the_node_starts() throws Exception {
    String keyStore = keyStore(dir.resolve("cluster.p12"));
    for (JsonObject wrong : List.of(
        new JsonObject().put(Settings.CLUSTER_TLS_KEYSTORE.name(), keyStore)
            .put(Settings.CLUSTER_TLS_PASSWORD.name(), "not-the-password"),
        new JsonObject().put(Settings.CLUSTER_TLS_KEYSTORE.name(), dir.resolve("missing.p12").toString())
            .put(Settings.CLUSTER_TLS_PASSWORD.name(), PASSWORD))) {
      ParleyConfig config = ParleyServerTest.testConfig(wrong);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> HazelcastSetup.eventBusOptions(config));
      assertTrue(refused.getMessage().contains("CLUSTER_TLS_KEYSTORE"), refused.getMessage());
    }
  }

  private TestClient client(Node node, String nick) {
    TestClient client = TestClient.user(node.vertx(), node.parley().httpPort(), nick);
    clients.add(client);
    return client;
  }

  /** A TLS client that trusts any server: what an intruder would use. */
  private static NetClientOptions tlsClient() {
    return new NetClientOptions().setSsl(true).setTrustAll(true).setHostnameVerificationAlgorithm("");
  }

  private static PfxOptions pkcs12(String path) {
    return new PfxOptions().setPath(path).setPassword(PASSWORD);
  }

  private Future<NetSocket> connect(NetClientOptions options, int port) {
    NetClient client = outsider.createNetClient(options.setConnectTimeout(5000));
    return client.connect(port, "127.0.0.1");
  }

  /**
   * Whether the event bus at {@code port} will not talk to this client: the connection (or its TLS handshake)
   * fails, or the node closes it once sent the start of a frame it would otherwise wait to complete.
   */
  private boolean refused(NetClientOptions options, int port) {
    Promise<Void> closed = Promise.promise();
    try {
      NetSocket socket = connect(options, port).await(10, TimeUnit.SECONDS);
      socket.closeHandler(nothing -> closed.tryComplete());
      // A frame's length (4096) and its first bytes: a plain event bus waits for the rest.
      socket.write(Buffer.buffer().appendInt(4096).appendString("{\"type\":\"publish\""));
    } catch (Exception refusedAtConnect) {
      return true;
    }
    try {
      closed.future().await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception stillOpen) {
      return false;
    }
  }

  /** A PKCS#12 key store with one self-signed key pair, made by the JDK's keytool. */
  private static String keyStore(Path file) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "parley-cluster",
        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=parley-cluster",
        "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, process.exitValue(), output);
    assertNotEquals(0L, file.toFile().length());
    return file.toString();
  }
}
