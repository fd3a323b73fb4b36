package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * ALLOWED_ORIGINS lets a page of another origin (a separately hosted front end) use /eventbus and /ws, its scheme
 * included; behind a trusted balancer the node's own origin has the balancer's scheme ({@code X-Forwarded-Proto}).
 */
class AllowedOriginsTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.ALLOWED_ORIGINS.name(), "https://app.example.com, http://localhost:3000")
        .put(Settings.TRUST_FORWARDED_FOR.name(), true);
  }

  private int infoStatus(String origin) {
    return infoStatus(origin, null);
  }

  /** GET /eventbus/info from a page of {@code origin}, through a balancer that says {@code forwardedProto} (or none). */
  private int infoStatus(String origin, String forwardedProto) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/eventbus/info")
          .compose(request -> {
            if (forwardedProto != null) {
              request.putHeader("X-Forwarded-Proto", forwardedProto);
            }
            return request.putHeader("Origin", origin).send();
          })
          .map(response -> response.statusCode()).await();
    } finally {
      client.close().await();
    }
  }

  @Test
  void origin_listed_in_allowed_origins_passes() {
    assertEquals(200, infoStatus("https://app.example.com"));
    assertEquals(200, infoStatus("http://localhost:3000"));
    assertEquals(403, infoStatus("http://localhost:3001"));
    assertEquals(200, infoStatus("http://127.0.0.1:" + node.httpPort()), "the node's own origin still passes");
  }

  @Test
  void origin_listed_in_allowed_origins_passes_only_with_its_scheme() {
    assertEquals(403, infoStatus("http://app.example.com"), "listed as https");
    assertEquals(403, infoStatus("https://localhost:3000"), "listed as http");
    assertEquals(200, infoStatus("https://app.example.com:443"), "the default port is the same origin");
  }

  @Test
  void origin_own_scheme_is_the_balancers_when_forwarded_headers_are_trusted() {
    String ownHttps = "https://127.0.0.1:" + node.httpPort();
    assertEquals(403, infoStatus(ownHttps), "the request came over http");
    assertEquals(200, infoStatus(ownHttps, "https"), "TLS ended at the balancer");
    assertEquals(403, infoStatus("http://127.0.0.1:" + node.httpPort(), "https"), "an http page behind a TLS balancer");
  }
}
