package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the TCP bridge: 4-byte big-endian length, then that many bytes of UTF-8 JSON, both ways. Frames are
 * queued as they come; a test takes them by address, in order, keeping the others for later.
 */
public final class TcpBridgeClient {

  private final NetClient client;
  private final NetSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  /** Frames received and passed over while looking for another address, oldest first. */
  private final List<JsonObject> kept = new ArrayList<>();
  private long requests;

  private TcpBridgeClient(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer chunk) {
        if (length < 0) {
          length = chunk.getInt(0);
          parser.fixedSizeMode(length);
        } else {
          frames.add(new JsonObject(chunk));
          length = -1;
          parser.fixedSizeMode(4);
        }
      }
    });
    socket.handler(parser);
  }


  /** Every frame as it arrives, for tests that take them one by one themselves. */
  public BlockingQueue<JsonObject> frames() {
    return frames;
  }

  public NetSocket socket() {
    return socket;
  }

  public static TcpBridgeClient connect(Vertx vertx, int port) {
    return connect(vertx, new io.vertx.core.net.NetClientOptions(), port);
  }

  /** With {@code options}: TLS, for one. */
  public static TcpBridgeClient connect(Vertx vertx, io.vertx.core.net.NetClientOptions options, int port) {
    NetClient client = vertx.createNetClient(options);
    return new TcpBridgeClient(client, client.connect(port, "127.0.0.1").await());
  }

  public void write(JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json)).await();
  }

  public void register(String address) {
    write(new JsonObject().put("type", "register").put("address", address));
  }

  /** Sends a request; returns its answer frame ({@code message} with a body, or {@code err}). */
  public JsonObject requestFrame(String address, JsonObject body) {
    String replyAddress = "r" + (++requests);
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", replyAddress));
    return next(frame -> replyAddress.equals(frame.getString("address")), "the answer to " + address);
  }

  /** Sends a request that must succeed; returns its answer's body. */
  public JsonObject request(String address, JsonObject body) {
    JsonObject answer = requestFrame(address, body);
    assertEquals("message", answer.getString("type"), () -> address + " " + body.encode() + " answered " + answer.encode());
    return answer.getJsonObject("body");
  }

  /** The next refusal without a reply address ({@code {"type":"err","message":...}}). */
  public JsonObject refusal() {
    return next(frame -> "err".equals(frame.getString("type")) && frame.getString("address") == null, "a refusal");
  }

  /** No refusal has come so far (call after a request's answer: everything sent before it has been served). */
  public void expectNoRefusal() {
    frames.drainTo(kept);
    for (JsonObject frame : kept) {
      assertTrue(!"err".equals(frame.getString("type")) || frame.getString("address") != null,
          () -> "refused: " + frame.encode());
    }
  }

  /** The body of the next frame delivered to {@code address}. */
  public JsonObject nextBodyOf(String address) {
    return next(frame -> address.equals(frame.getString("address")), "a frame to " + address).getJsonObject("body");
  }

  /**
   * The next {@code message} of a room address's events with an id above {@code lastId} (presence, typing and older
   * messages passed over).
   */
  public JsonObject nextMessageAfter(String address, long lastId) {
    while (true) {
      JsonObject body = next(frame -> address.equals(frame.getString("address"))
          && "message".equals(frame.getJsonObject("body").getString("type")), "a message on " + address)
          .getJsonObject("body");
      if (body.getLong("id") > lastId) {
        return body;
      }
    }
  }

  private JsonObject next(java.util.function.Predicate<JsonObject> wanted, String what) {
    for (Iterator<JsonObject> it = kept.iterator(); it.hasNext();) {
      JsonObject frame = it.next();
      if (wanted.test(frame)) {
        it.remove();
        return frame;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_SECONDS);
    while (true) {
      JsonObject frame;
      try {
        frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (frame == null) {
        throw new AssertionError("no " + what + " within " + TestClient.WAIT_SECONDS + " s; received " + kept);
      }
      if (wanted.test(frame)) {
        return frame;
      }
      kept.add(frame);
    }
  }

  public void close() {
    try {
      socket.close().await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      client.close().await(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("TCP client did not close", e);
    }
  }
}
