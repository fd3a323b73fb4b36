package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plain HTTP side of a node: health, the bundled page with its npm libraries, the security headers on them, /ws
 * without an upgrade, the Origin check in front of /ws and /eventbus, and the bridge's XHR body limit.
 */
class HttpRoutesTest extends ParleyServerTest {

  private static final String EVIL = "http://evil.example";

  private record Reply(int status, String contentType, String body, MultiMap headers) {
  }

  private Reply get(String path) {
    return request(HttpMethod.GET, path, null, null);
  }

  private Reply request(HttpMethod method, String path, String origin, String body) {
    HttpClient client = vertx.createHttpClient();
    try {
      // A request that gets no answer fails in 10 s, naming itself, rather than using up the test's time.
      return client.request(new io.vertx.core.http.RequestOptions().setMethod(method).setPort(node.httpPort())
              .setHost("127.0.0.1").setURI(path).setIdleTimeout(10_000))
          .compose(request -> {
            if (origin != null) {
              request.putHeader("Origin", origin);
            }
            return body == null ? request.send() : request.send(body);
          })
          .compose(response -> response.body().map(received ->
              new Reply(response.statusCode(), response.getHeader("content-type"), received.toString(),
                  response.headers())))
          .timeout(15, java.util.concurrent.TimeUnit.SECONDS)
          .await();
    } finally {
      client.close().await();
    }
  }

  @Test
  void health_is_up_once_deployed() {
    Reply reply = get("/health");
    assertEquals(200, reply.status());
    assertEquals(new JsonObject().put("status", "UP"), new JsonObject(reply.body()));
  }

  @Test
  void ready_once_deployed_then_503_while_draining_and_health_stays_up() throws Exception {
    Reply ready = get("/ready");
    assertEquals(200, ready.status());
    assertEquals("READY", new JsonObject(ready.body()).getString("status"));
    assertEquals(true, new JsonObject(ready.body()).getBoolean("clusterJoined"));
    // A client that does not read holds the drain open for WS_CLOSING_TIMEOUT_S: long enough to ask.
    try (io.parley.support.StuckClient stuck = io.parley.support.StuckClient.connect(node.httpPort(),
        "{\"type\":\"hello\",\"nick\":\"stuck\"}", "{\"type\":\"join\",\"room\":\"drain\"}")) {
      // Its session exists once its room is served; only then does the drain wait for it.
      io.parley.support.Eventually.await(vertx, () -> node.rooms() == 1, "the stuck client joined");
      io.vertx.core.Future<Void> closing = node.close();
      Reply draining = get("/ready");
      assertEquals(503, draining.status());
      assertEquals("DRAINING", new JsonObject(draining.body()).getString("status"));
      assertEquals(200, get("/health").status(), "alive while draining: nothing to restart");
      closing.await();
    }
  }

  @Test
  void serves_the_web_page() {
    Reply page = get("/");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("app.js"), "index.html loads app.js");
    assertEquals(200, get("/app.js").status());
    assertEquals(200, get("/style.css").status());
    Reply icon = get("/favicon.svg");
    assertEquals(200, icon.status());
    assertTrue(icon.contentType().startsWith("image/svg+xml"), "nosniff: the browser goes by the type");
  }

  @Test
  void serves_the_bridge_client_libraries_from_npm() {
    Reply page = get("/");
    assertTrue(page.body().contains("vendor/sockjs.min.js") && page.body().contains("vendor/vertx-eventbus.js"));
    Reply sockjs = get("/vendor/sockjs.min.js");
    assertEquals(200, sockjs.status());
    assertTrue(sockjs.body().contains("SockJS"), "the sockjs-client dist file");
    Reply eventBus = get("/vendor/vertx-eventbus.js");
    assertEquals(200, eventBus.status());
    assertTrue(eventBus.body().contains("EventBus.prototype.registerHandler"), "the @vertx/eventbus-bridge-client.js file");
  }

  /** A WebSocket upgrade of /ws with the given Origin: 101 when accepted, else the refusal's status. */
  private int upgradeStatus(String origin) {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocketConnectOptions options = new WebSocketConnectOptions()
          .setPort(node.httpPort()).setHost("127.0.0.1").setURI("/ws").setAllowOriginHeader(origin != null);
      if (origin != null) {
        options.addHeader("Origin", origin);
      }
      return client.connect(options).map(socket -> {
        socket.close();
        return 101;
      }).recover(failure -> failure instanceof UpgradeRejectedException rejected
          ? Future.succeededFuture(rejected.getStatus()) : Future.failedFuture(failure)).await();
    } finally {
      client.close().await();
    }
  }

  @Test
  void origin_same_origin_and_no_origin_may_upgrade() {
    assertEquals(101, upgradeStatus("http://127.0.0.1:" + node.httpPort()));
    assertEquals(101, upgradeStatus(null));
  }

  @Test
  void origin_of_another_scheme_is_refused_with_403() {
    // An https page on the same host and port is another origin; over plain http the node's own is http.
    assertEquals(403, upgradeStatus("https://127.0.0.1:" + node.httpPort()));
    assertEquals(403, request(HttpMethod.GET, "/eventbus/info", "https://127.0.0.1:" + node.httpPort(), null).status());
  }

  @Test
  void security_headers_on_the_page_its_assets_health_and_ready() {
    for (String path : List.of("/", "/index.html", "/app.js", "/style.css", "/favicon.svg", "/vendor/sockjs.min.js",
        "/vendor/vertx-eventbus.js", "/health", "/ready", "/nope")) {
      MultiMap headers = get(path).headers();
      assertEquals("default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; "
          + "form-action 'self'", headers.get("Content-Security-Policy"), path);
      assertEquals("nosniff", headers.get("X-Content-Type-Options"), path);
      assertEquals("no-referrer", headers.get("Referrer-Policy"), path);
      assertEquals("DENY", headers.get("X-Frame-Options"), path);
    }
  }

  @Test
  void security_headers_leave_the_page_no_inline_script_or_style() {
    // The CSP refuses inline <script>, <style>, style="" and on*="" handlers: the page must have none.
    String page = get("/").body();
    assertFalse(page.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "every <script> has a src");
    assertFalse(page.matches("(?s).*(<style|\\sstyle=|\\son[a-z]+=).*"), "no inline style or handler");
  }

  @Test
  void origin_cross_site_upgrade_is_refused_with_403() {
    assertEquals(403, upgradeStatus(EVIL));
    assertEquals(403, upgradeStatus("null"));
  }

  @Test
  void origin_cross_site_bridge_requests_are_refused_with_403() {
    assertEquals(200, request(HttpMethod.GET, "/eventbus/info", "http://127.0.0.1:" + node.httpPort(), null).status());
    assertEquals(403, request(HttpMethod.GET, "/eventbus/info", EVIL, null).status());
    assertEquals(403, request(HttpMethod.POST, "/eventbus/000/session1/xhr", EVIL, null).status());
  }

  @Test
  void origin_sockjs_iframe_page_is_not_served() {
    // A frame's requests carry no Origin: a page of another site could frame it and drive the bridge inside it.
    assertEquals(404, get("/eventbus/iframe.html").status());
    assertEquals(404, get("/eventbus/iframe-1.6.1.html").status());
    assertEquals(200, get("/eventbus/info").status(), "the rest of SockJS is there");
  }

  @Test
  void bridge_xhr_body_over_the_frame_limit_is_refused_with_413() {
    String big = "[\"" + "x".repeat(70_000) + "\"]";
    assertEquals(413, request(HttpMethod.POST, "/eventbus/000/session2/xhr_send", null, big).status());
  }

  /**
   * Over a bare socket, a request line and nothing else of an upgrade: no client library adds or pools anything.
   * (Through a pooled Vert.x HttpClient this once waited 15 s for a connection, twice in about ten suite runs.)
   */
  @Test
  void ws_without_upgrade_is_a_bad_request() throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      assertEquals("HTTP/1.1 400 Bad Request", statusLine);
    }
  }

  @Test
  void unknown_path_is_not_found() {
    assertEquals(404, get("/nope").status());
  }
}
