package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code TCP_BRIDGE_TLS_CERT}: the TCP bridge speaks TLS only (docs/PROTOCOL.md, "TCP bridge"). */
class TcpBridgeTlsTest extends ParleyServerTest {

  private static final SelfSignedCertificate CERT = SelfSignedCertificate.create("localhost");

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0)
        .put(Settings.TCP_BRIDGE_TLS_CERT.name(), CERT.certificatePath())
        .put(Settings.TCP_BRIDGE_TLS_KEY.name(), CERT.privateKeyPath());
  }

  @AfterAll
  static void deleteCertificate() {
    CERT.delete();
  }

  @Test
  void tcp_bridge_tls_serves_a_client_that_trusts_the_certificate() throws Exception {
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, new NetClientOptions().setSsl(true)
        .setTrustOptions(CERT.trustOptions()).setHostnameVerificationAlgorithm(""), node.tcpBridgePort());
    bridge.write(new JsonObject().put("type", "ping"));
    JsonObject pong = bridge.frames().poll(10, TimeUnit.SECONDS);
    assertNotNull(pong, "a pong over TLS");
    assertEquals("pong", pong.getString("type"));
    bridge.close();
  }

  @Test
  void tcp_bridge_tls_refuses_a_client_that_does_not_trust_it() {
    assertThrows(Exception.class, () -> TcpBridgeClient.connect(vertx, new NetClientOptions().setSsl(true),
        node.tcpBridgePort()).write(new JsonObject().put("type", "ping")));
  }
}
