package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * PUBLIC_ORIGINS names the node's own origins, and the Host header no longer vouches for a page: a site whose DNS
 * name was re-pointed at an internal node (DNS rebinding) sends matching Origin and Host, and is refused.
 */
class PublicOriginsTest extends ParleyServerTest {

  private static final String PUBLIC = "https://chat.example.test";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.PUBLIC_ORIGINS.name(), PUBLIC + ", http://localhost:8080");
  }

  /** GET /eventbus/info on the node, the browser having addressed {@code host} from a page of {@code origin}. */
  private int infoStatus(String host, String origin) {
    return status("GET /eventbus/info HTTP/1.1", host, origin);
  }

  /** A WebSocket upgrade of /ws, as a browser at {@code host} on a page of {@code origin} asks: 101 if accepted. */
  private int upgradeStatus(String host, String origin) {
    return status("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13", host, origin);
  }

  /**
   * The status of one request written as is on a socket to the node: a client library would put the address it
   * connects to in {@code Host}, and a rebound browser's {@code Host} is the attacker's name.
   */
  private int status(String requestLines, String host, String origin) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.httpPort())) {
      socket.setSoTimeout(10_000);
      String request = requestLines + "\r\nHost: " + host + ":" + node.httpPort() + "\r\nOrigin: " + origin
          + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      return Integer.parseInt(statusLine.split(" ")[1]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void origin_dns_rebinding_page_is_refused_though_its_host_matches() {
    String rebound = "http://evil.example:" + node.httpPort();
    assertEquals(403, infoStatus("evil.example", rebound));
    assertEquals(403, upgradeStatus("evil.example", rebound));
    assertEquals(403, infoStatus("127.0.0.1", "http://127.0.0.1:" + node.httpPort()), "the Host is not the origin");
  }

  @Test
  void origin_listed_in_public_origins_passes_whatever_the_host() {
    assertEquals(200, infoStatus("parley1", PUBLIC), "TLS ended at the balancer, which forwarded its own Host");
    assertEquals(200, infoStatus("parley1", PUBLIC + ":443"));
    assertEquals(101, upgradeStatus("parley1", PUBLIC));
    assertEquals(200, infoStatus("localhost", "http://localhost:8080"));
    assertEquals(403, infoStatus("chat.example.test", "http://chat.example.test"), "another scheme, another origin");
  }
}
