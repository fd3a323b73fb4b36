package io.parley.bench;

import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark of bounded memory: a node (its default storage, SQLite) in this JVM; clients create {@code rooms}
 * rooms, each with one message (join, send, leave), then go away. Prints, as one JSON line, the Java heap in use after
 * a full GC before, right after, and once the rooms have been idle for {@code ROOM_IDLE_EVICT_S}: the last must be
 * back near the first, whatever the number of rooms ever created. {@code bench/run.sh r} runs it; docs/BENCHMARKS.md
 * has the figures.
 *
 * <p>Usage: {@code RoomsEverCreated [rooms] [clients]} (defaults 20000 and 20).
 */
public final class RoomsEverCreated {

  private static final Logger log = LoggerFactory.getLogger(RoomsEverCreated.class);
  private static final int EVICT_S = 5;

  private RoomsEverCreated() {
  }

  public static void main(String[] args) throws Exception {
    int rooms = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Vertx vertx = Vertx.vertx();
    ParleyNode node = ParleyNode.deploy(vertx, ParleyServerTest.testConfig(new JsonObject()
        .put(Settings.ROOM_CREATE_PER_MIN.name(), 1_000_000).put(Settings.MAX_ROOMS.name(), 10_000_000)
        .put(Settings.RATE_LIMIT_PER_S.name(), 1_000_000).put(Settings.RATE_LIMIT_BURST.name(), 1_000_000)
        .put(Settings.MAX_CONNECTIONS_PER_IP.name(), 0).put(Settings.ROOM_IDLE_EVICT_S.name(), EVICT_S))).await();
    long before = heapAfterGc();
    long started = System.nanoTime();
    WebSocketClient client = vertx.createWebSocketClient();
    List<Future<Void>> done = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    for (int c = 0; c < clients; c++) {
      done.add(creator(client, node.httpPort(), "creator" + c, next, rooms));
    }
    Future.all(done).await(10, TimeUnit.MINUTES);
    client.close().await();
    double createS = (System.nanoTime() - started) / 1e9;
    long right = heapAfterGc();
    int cachedRight = node.cachedRooms();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EVICT_S * 4L);
    while ((node.cachedRooms() > 0 || node.rooms() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(250); // a benchmark's own clock: it measures what the node holds once the rooms are idle
    }
    long evicted = heapAfterGc();
    JsonObject result = new JsonObject().put("scenario", "r").put("rooms", rooms).put("clients", clients)
        .put("createS", Math.round(createS * 10) / 10.0)
        .put("heapBeforeKb", before / 1024).put("heapRightAfterKb", right / 1024).put("heapAfterEvictionKb", evicted / 1024)
        .put("cachedRoomsRightAfter", cachedRight).put("cachedRoomsAfterEviction", node.cachedRooms())
        .put("bytesPerRoomRightAfter", (right - before) / rooms).put("bytesPerRoomAfterEviction", (evicted - before) / rooms);
    System.out.println(result.encode()); // the benchmark's output line, as the load generator prints its own
    node.close().await();
    vertx.close().await();
  }

  /** One client creating rooms until {@code total} are made: join, send, leave, each answered before the next. */
  private static Future<Void> creator(WebSocketClient client, int port, String nick, AtomicInteger next, int total) {
    CompletableFuture<Void> finished = new CompletableFuture<>();
    client.connect(port, "127.0.0.1", "/ws").onSuccess(socket -> {
      socket.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        switch (frame.getString("type")) {
          case "welcome", "left" -> createNext(socket, next, total, finished);
          case "joined" -> write(socket, new JsonObject().put("type", "send").put("room", frame.getString("room"))
              .put("text", "the only message of " + frame.getString("room")));
          case "message" -> write(socket, new JsonObject().put("type", "leave").put("room", frame.getString("room")));
          case "error" -> finished.completeExceptionally(new IllegalStateException(text));
          default -> { }
        }
      });
      write(socket, new JsonObject().put("type", "hello").put("nick", nick));
    }).onFailure(finished::completeExceptionally);
    return Future.fromCompletionStage(finished);
  }

  private static void createNext(WebSocket socket, AtomicInteger next, int total, CompletableFuture<Void> finished) {
    int room = next.getAndIncrement();
    if (room >= total) {
      socket.close();
      finished.complete(null);
      return;
    }
    if (room % 5000 == 0) {
      log.info("{} rooms created", room);
    }
    write(socket, new JsonObject().put("type", "join").put("room", "room" + room));
  }

  private static void write(WebSocket socket, JsonObject frame) {
    socket.writeTextMessage(frame.encode());
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
