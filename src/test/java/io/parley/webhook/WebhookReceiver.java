package io.parley.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A backend's webhook endpoint for the tests: a real HTTP server on port 0 that checks each delivery's signature
 * (as docs/INTEGRATION.md tells a backend to), records it, and answers as the test says ({@link #answer}: a status,
 * or 0 for no answer at all). {@link #kept()} is what a receiver that dedupes by idempotency key keeps.
 */
final class WebhookReceiver implements AutoCloseable {

  record Delivery(String id, JsonObject body, String signature, long timestamp, int attempt, boolean signed) {
  }

  private final String secret;
  private final HttpServer server;
  private final List<Delivery> received = new CopyOnWriteArrayList<>();
  private volatile Function<Delivery, Integer> answer = d -> 200;

  private WebhookReceiver(Vertx vertx, String secret) {
    this.secret = secret;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  static WebhookReceiver start(Vertx vertx, String secret) {
    WebhookReceiver receiver = new WebhookReceiver(vertx, secret);
    receiver.server.listen(0, "127.0.0.1").await();
    return receiver;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks";
  }

  /** How to answer each delivery from now on: an HTTP status, or 0 to leave it unanswered. */
  void answer(Function<Delivery, Integer> answer) {
    this.answer = answer;
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String text = body.toString();
      long timestamp = Long.parseLong(request.getHeader("Parley-Timestamp"));
      String signature = request.getHeader("Parley-Signature");
      JsonObject json = new JsonObject(text);
      Delivery delivery = new Delivery(request.getHeader("Idempotency-Key"), json, signature, timestamp,
          Integer.parseInt(request.getHeader("Parley-Attempt")),
          WebhookSignature.verify(secret, timestamp, text, signature) && json.getString("id").equals(
              request.getHeader("Idempotency-Key")) && "POST".equals(request.method().name()));
      received.add(delivery);
      int status = answer.apply(delivery);
      if (status > 0) {
        request.response().setStatusCode(status).end();
      }
    });
  }

  /** Every delivery, retries included, in arrival order. */
  List<Delivery> received() {
    return new ArrayList<>(received);
  }

  /** What a receiver that dedupes by idempotency key keeps: each event once, where it first came. */
  List<JsonObject> kept() {
    Map<String, JsonObject> once = new LinkedHashMap<>();
    received.forEach(d -> once.putIfAbsent(d.id(), d.body()));
    return new ArrayList<>(once.values());
  }

  /** The kept events of {@code room}. */
  List<JsonObject> kept(String room) {
    return kept().stream().filter(e -> room.equals(e.getString("room"))).toList();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
