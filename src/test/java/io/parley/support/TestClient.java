package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client of {@code /ws} (the Vert.x WebSocket client) that queues every frame it receives,
 * for tests to take one at a time, in order. Waits are bounded; nothing sleeps.
 */
public final class TestClient implements AutoCloseable {

  public static final long WAIT_SECONDS = 10;

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private String nick;

  private TestClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
  }

  public static TestClient connect(Vertx vertx, int port) {
    return connect(vertx, port, new WebSocketClientOptions());
  }

  public static TestClient connect(Vertx vertx, int port, WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions(options)
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
    try {
      return new TestClient(client, client.connect(port, "127.0.0.1", "/ws").await(WAIT_SECONDS, TimeUnit.SECONDS));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no WebSocket upgrade of /ws on port " + port + " within " + WAIT_SECONDS + " s", e);
    }
  }

  /** Connects and says hello as {@code nick}, checking the welcome. */
  public static TestClient user(Vertx vertx, int port, String nick) {
    return user(vertx, port, nick, new WebSocketClientOptions());
  }

  /** Connects with {@code options} and says hello as {@code nick}, checking the welcome. */
  public static TestClient user(Vertx vertx, int port, String nick, WebSocketClientOptions options) {
    TestClient client = connect(vertx, port, options);
    client.send(new JsonObject().put("type", "hello").put("nick", nick));
    JsonObject welcome = client.expect("welcome");
    assertEquals(nick, welcome.getString("nick"));
    client.nick = nick;
    return client;
  }

  public String nick() {
    return nick;
  }

  /**
   * Says hello as {@code nick} on this connection until the server has released it (a previous connection's close
   * reaches it asynchronously): at most 50 tries, 20 ms apart. Returns the welcome.
   */
  public JsonObject helloWhenFree(Vertx vertx, String nick) {
    for (int attempt = 0; attempt < 50; attempt++) {
      send(new JsonObject().put("type", "hello").put("nick", nick));
      JsonObject answer = next();
      if ("welcome".equals(answer.getString("type"))) {
        this.nick = nick;
        return answer;
      }
      assertEquals("nick_taken", answer.getString("code"), answer::encode);
      vertx.timer(20).await();
    }
    throw new AssertionError("nick '" + nick + "' was never released");
  }

  public TestClient send(JsonObject frame) {
    socket.writeTextMessage(frame.encode()).await();
    return this;
  }

  /** Stops reading the socket (TCP backs up; pings go unanswered), as a client that hangs or never reads. */
  public TestClient stopReading() {
    socket.pause();
    return this;
  }

  /** Reads again what {@link #stopReading()} left in the socket. */
  public TestClient resumeReading() {
    socket.resume();
    return this;
  }

  public TestClient sendRaw(String text) {
    socket.writeTextMessage(text).await();
    return this;
  }

  /**
   * Sends {@code first}, then {@code rest} as continuation frames of at most 2000 characters, without
   * waiting for the writes: the server may close the socket part way (that is what tests look for).
   */
  public TestClient sendFrames(io.vertx.core.http.WebSocketFrame first, String rest) {
    socket.writeFrame(first);
    for (int i = 0; i < rest.length(); i += 2000) {
      int end = Math.min(rest.length(), i + 2000);
      socket.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(
          Buffer.buffer(rest.substring(i, end)), end == rest.length()));
    }
    return this;
  }

  public TestClient sendBinary(Buffer data) {
    socket.writeBinaryMessage(data).await();
    return this;
  }

  /** Joins and returns the {@code joined} frame. */
  public JsonObject join(String room) {
    send(new JsonObject().put("type", "join").put("room", room));
    return expect("joined");
  }

  public JsonObject join(String room, long since) {
    send(new JsonObject().put("type", "join").put("room", room).put("since", since));
    return expect("joined");
  }

  /** Sends a message and returns it as the room delivered it back to the sender. */
  public JsonObject say(String room, String text) {
    send(new JsonObject().put("type", "send").put("room", room).put("text", text));
    JsonObject message = expect("message");
    assertEquals(text, message.getString("text"));
    return message;
  }

  /** The next frame, whatever it is; fails the test after {@link #WAIT_SECONDS}. */
  public JsonObject next() {
    try {
      JsonObject frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(frame, (nick == null ? "client" : nick) + " received no frame within " + WAIT_SECONDS + " s");
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must be of {@code type}. */
  public JsonObject expect(String type) {
    JsonObject frame = next();
    assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame.encode());
    return frame;
  }

  /** The next frame of {@code type}, passing over frames of the {@code noise} types. */
  public JsonObject expectPast(String type, String... noise) {
    while (true) {
      JsonObject frame = next();
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
      assertTrue(java.util.List.of(noise).contains(frame.getString("type")), () -> "unexpected frame " + frame.encode());
    }
  }

  /** The next frame, which must be an error with {@code code}; returns it. */
  public JsonObject expectError(String code) {
    JsonObject frame = expect("error");
    assertEquals(code, frame.getString("code"), frame::encode);
    return frame;
  }

  /**
   * Proves that nothing is queued ahead: asks for the room list and checks that its answer is the very
   * next frame. Frames are delivered in order, so anything sent to this client before is seen first.
   */
  public void expectNothingQueued() {
    send(new JsonObject().put("type", "rooms").put("ref", "barrier"));
    JsonObject frame = next();
    assertEquals("rooms", frame.getString("type"), () -> "expected nothing queued, got " + frame.encode());
  }

  /** The frames received so far and not taken yet, without waiting. */
  public java.util.List<JsonObject> drain() {
    java.util.List<JsonObject> taken = new java.util.ArrayList<>();
    frames.drainTo(taken);
    return taken;
  }

  /** Every message of {@code room} up to id {@code lastId}, oldest first, paging back with {@code history}. */
  public io.vertx.core.json.JsonArray historyFromTheStart(String room, long lastId) {
    java.util.LinkedList<JsonObject> all = new java.util.LinkedList<>();
    long before = lastId + 1;
    while (before > 1) {
      send(new JsonObject().put("type", "history").put("room", room).put("before", before).put("ref", "page"));
      JsonObject page = next();
      while (!"history".equals(page.getString("type"))) {
        page = next(); // room events meanwhile
      }
      io.vertx.core.json.JsonArray messages = page.getJsonArray("messages");
      if (messages.isEmpty()) {
        break;
      }
      for (int i = messages.size() - 1; i >= 0; i--) {
        all.addFirst(messages.getJsonObject(i));
      }
      before = messages.getJsonObject(0).getLong("id");
    }
    return new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(all));
  }

  /** Waits for the server to close the socket and returns the close code. */
  public short awaitClose() {
    try {
      Short code = closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
      return code == null ? -1 : code;
    } catch (Exception e) {
      throw new AssertionError("socket was not closed within " + WAIT_SECONDS + " s", e);
    }
  }

  @Override
  public void close() {
    try {
      if (!socket.isClosed()) {
        socket.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      client.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("client did not close within " + WAIT_SECONDS + " s", e);
    }
  }
}
