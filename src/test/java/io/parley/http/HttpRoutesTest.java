package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ParleyServerTest;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The plain HTTP side of a node: health, the bundled page, and /ws without an upgrade. */
class HttpRoutesTest extends ParleyServerTest {

  private record Reply(int status, String contentType, String body) {
  }

  private Reply get(String path) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", path)
          .compose(request -> request.send())
          .compose(response -> response.body().map(body ->
              new Reply(response.statusCode(), response.getHeader("content-type"), body.toString())))
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
  void serves_the_web_page() {
    Reply page = get("/");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("app.js"), "index.html loads app.js");
    assertEquals(200, get("/app.js").status());
    assertEquals(200, get("/style.css").status());
  }

  @Test
  void ws_without_upgrade_is_a_bad_request() {
    assertEquals(400, get("/ws").status());
  }

  @Test
  void unknown_path_is_not_found() {
    assertEquals(404, get("/nope").status());
  }
}
