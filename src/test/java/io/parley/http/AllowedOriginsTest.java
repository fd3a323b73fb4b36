package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** ALLOWED_ORIGINS lets a page of another origin (a separately hosted front end) use /eventbus and /ws. */
class AllowedOriginsTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.ALLOWED_ORIGINS.name(), "https://app.example.com, http://localhost:3000");
  }

  private int infoStatus(String origin) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/eventbus/info")
          .compose(request -> request.putHeader("Origin", origin).send())
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
}
