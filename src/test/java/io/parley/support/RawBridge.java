package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bridge client over SockJS's raw WebSocket transport ({@code /eventbus/websocket}): one JSON bridge frame per
 * WebSocket message, without SockJS's framing, so Java tests can speak the bridge protocol directly. Frames are
 * queued as they come; waits are bounded.
 */
public final class RawBridge {

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private long replies;

  private RawBridge(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    // The bridge writes its frames as binary messages on this transport. A socket the server refused may be closed
    // already: then there is nothing to read.
    try {
      socket.binaryMessageHandler(data -> frames.add(new JsonObject(data)));
    } catch (IllegalStateException closedAlready) {
      // nothing will come
    }
  }

  public static RawBridge connect(Vertx vertx, int port) {
    WebSocketClient client = vertx.createWebSocketClient();
    return new RawBridge(client, client.connect(port, "127.0.0.1", "/eventbus/websocket").await());
  }

  public WebSocket socket() {
    return socket;
  }

  public RawBridge register(String address) {
    return write(new JsonObject().put("type", "register").put("address", address));
  }

  public RawBridge unregister(String address) {
    return write(new JsonObject().put("type", "unregister").put("address", address));
  }

  /** Sends a request without a reply address: nothing answers it but a refusal. */
  public RawBridge send(String address, JsonObject body) {
    return write(new JsonObject().put("type", "send").put("address", address).put("body", body));
  }

  /**
   * The frames the socket received up to the reply of one more request (a socket's envelopes take effect in order,
   * so everything sent before it has been answered or refused), that reply last.
   */
  public java.util.List<JsonObject> framesUpToARequest(String address, JsonObject body) {
    String replyAddress = "sync-" + System.nanoTime();
    write(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
    java.util.List<JsonObject> received = new java.util.ArrayList<>();
    while (true) {
      JsonObject frame = next();
      received.add(frame);
      if (replyAddress.equals(frame.getString("address"))) {
        return received;
      }
    }
  }

  /** Sends a request and returns its reply frame ({@code rec} with a body, or {@code err} with a failure). */
  public JsonObject requestFrame(String address, JsonObject body) {
    String replyAddress = "r" + (++replies) + "-" + System.nanoTime();
    write(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
    while (true) {
      JsonObject frame = next();
      if (replyAddress.equals(frame.getString("address"))) {
        return frame;
      }
    }
  }

  /** Sends a request and returns its reply's body; the socket's events before it have all taken effect. */
  public JsonObject request(String address, JsonObject body) {
    JsonObject reply = requestFrame(address, body);
    if (!"rec".equals(reply.getString("type"))) {
      throw new AssertionError("request to " + address + " refused: " + reply.encode());
    }
    return reply.getJsonObject("body");
  }

  public JsonObject next() {
    try {
      JsonObject frame = frames.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        throw new AssertionError("no bridge frame within " + TestClient.WAIT_SECONDS + " s");
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private RawBridge write(JsonObject frame) {
    socket.writeTextMessage(frame.encode()).await();
    return this;
  }

  public void close() {
    if (!socket.isClosed()) {
      socket.close().await();
    }
  }

  /** Closes the socket if open, and the client. */
  public void closeClient() {
    close();
    client.close().await();
  }
}
