package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ClusterEnvironment;
import io.parley.support.NodeProcess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos: three node processes on one PostgreSQL database, clients spread over them sending steadily into one room.
 * One node is killed with SIGKILL and started again (each time the one that serves the most clients); its clients
 * reconnect to the others, resume with {@code since} and {@code epoch}, and send again, with the same {@code cid},
 * what was not acknowledged. At the end the whole cluster is killed at once and started again: the clients resume as
 * before, with the same epoch. Counted at the end: messages acknowledged to their senders that some client never
 * received (lost), messages stored twice for one cid or delivered twice to a client (duplicates), holes in a
 * client's ids, and resumes that were not {@code recovered}. The target is 0 for each.
 *
 * <p>CI runs it for {@value #DEFAULT_SECONDS} s; {@code mvn verify -Dtest=ChaosTest -Dparley.chaos.seconds=300}
 * runs it longer, with a kill and restart every 30 s (docs/RELIABILITY.md).
 */
class ChaosTest {

  private static final Logger log = LoggerFactory.getLogger(ChaosTest.class);
  private static final int DEFAULT_SECONDS = 20;
  private static final int SECONDS = Integer.getInteger("parley.chaos.seconds", DEFAULT_SECONDS);
  private static final int CLIENTS = 6;
  private static final long SEND_EVERY_MS = 200;
  private static final long RESEND_EVERY_MS = 2000;
  private static final String ROOM = "chaos";

  @TempDir
  Path workDir;

  private final Vertx vertx = Vertx.vertx();
  private final List<Map<String, String>> environments = new ArrayList<>();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final Set<Integer> down = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() {
    nodes.forEach(NodeProcess::close);
    vertx.close().await();
  }

  // Longer than the suite's default: a long run is asked for by its length; every wait inside is bounded.
  @Test
  @org.junit.jupiter.api.Timeout(value = 3600)
  void chaos_sigkill_a_node_then_the_whole_cluster_loses_and_duplicates_nothing_acknowledged() {
    // A client away for a few seconds must get all it missed on resume.
    for (Map<String, String> env : ClusterEnvironment.of(3, 4, true,
        Map.of("HISTORY_SIZE", "20000", "HISTORY_PAGE_MAX", "5000"))) {
      environments.add(env);
      httpPorts.add(Integer.parseInt(env.get("HTTP_PORT")));
      nodes.add(NodeProcess.start(workDir, env));
    }
    nodes.forEach(NodeProcess::awaitUp);

    List<ChaosClient> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new ChaosClient("c" + i, i % 3));
    }
    clients.forEach(ChaosClient::start);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    int kills = 0;
    waitFor(3000);
    int victims = 0;
    while (System.nanoTime() < deadline) {
      // Kill the node that serves the most clients (they lose their sockets at once); bring it back soon after.
      int victim = busiestNode(clients);
      victims += (int) clients.stream().filter(c -> c.node == victim).count();
      down.add(victim);
      nodes.get(victim).kill();
      nodes.get(victim).awaitExit(10);
      kills++;
      waitFor(4000);
      NodeProcess restarted = NodeProcess.start(workDir, environments.get(victim));
      nodes.set(victim, restarted);
      restarted.awaitUp();
      down.remove(victim);
      waitFor(Math.min(26_000, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
    // Then the whole cluster at once: every node killed, started again on the same database.
    List<String> epochs = clients.stream().map(c -> c.epoch).distinct().toList();
    nodes.forEach(NodeProcess::kill);
    nodes.forEach(node -> node.awaitExit(10));
    kills += nodes.size();
    waitFor(1000);
    for (int i = 0; i < nodes.size(); i++) {
      nodes.set(i, NodeProcess.start(workDir, environments.get(i)));
    }
    long restarting = System.nanoTime();
    nodes.forEach(node -> node.awaitUp(120)); // three JVMs and Hazelcast's join at once, on two cores
    log.info("the whole cluster was up again {} ms after its restart", (System.nanoTime() - restarting) / 1_000_000);
    waitFor(4000);
    clients.forEach(ChaosClient::stopSending);

    // Quiet: every client has been acknowledged everything, and has received every stored message.
    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < settle && !settled(clients)) {
      waitFor(200);
    }

    Map<String, Set<Long>> idsOfCid = new HashMap<>();
    clients.forEach(client -> client.received.forEach((id, key) ->
        idsOfCid.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(id)));
    long storedTwice = idsOfCid.values().stream().filter(ids -> ids.size() > 1).count();
    long deliveredTwice = clients.stream().mapToLong(client -> client.duplicateDeliveries.get()).sum();
    long lost = 0;
    long holes = 0;
    long acked = 0;
    for (ChaosClient sender : clients) {
      for (String cid : sender.acked) {
        acked++;
        String key = sender.nick + "/" + cid;
        lost += clients.stream().filter(receiver -> !receiver.received.containsValue(key)).count() > 0 ? 1 : 0;
      }
    }
    for (ChaosClient client : clients) {
      long first = client.received.keySet().stream().mapToLong(Long::longValue).min().orElse(1);
      long last = client.received.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
      holes += (last - first + 1) - client.received.size();
    }
    JsonObject report = new JsonObject()
        .put("seconds", SECONDS).put("clients", CLIENTS).put("kills", kills).put("clientsOfKilledNodes", victims)
        .put("sent", clients.stream().mapToInt(c -> c.sent.get()).sum()).put("acked", acked)
        .put("resent", clients.stream().mapToInt(c -> c.resent.get()).sum())
        .put("reconnects", clients.stream().mapToInt(c -> c.reconnects.get()).sum())
        .put("lost", lost).put("duplicates", storedTwice + deliveredTwice).put("holes", holes)
        .put("unacked", clients.stream().mapToInt(c -> c.pending.size()).sum())
        .put("notRecovered", clients.stream().mapToInt(c -> c.notRecovered.get()).sum())
        .put("epochs", clients.stream().map(c -> c.epoch).distinct().count());
    log.info("chaos: {}", report.encode());
    assertTrue(settled(clients), "every client settled: " + report.encode());
    assertEquals(0, lost, "acknowledged messages lost: " + report.encode());
    assertEquals(0, storedTwice + deliveredTwice, "duplicates: " + report.encode());
    assertEquals(0, holes, "holes: " + report.encode());
    assertEquals(0, report.getInteger("notRecovered"), "every resume was recovered: " + report.encode());
    assertEquals(epochs, clients.stream().map(c -> c.epoch).distinct().toList(),
        "the room's epoch outlived the whole cluster: " + report.encode());
    assertTrue(report.getInteger("reconnects") >= victims, "every client of a killed node reconnected: " + report.encode());
  }

  private static int busiestNode(List<ChaosClient> clients) {
    int[] counts = new int[3];
    clients.forEach(client -> counts[client.node]++);
    int busiest = 0;
    for (int i = 1; i < 3; i++) {
      busiest = counts[i] > counts[busiest] ? i : busiest;
    }
    return busiest;
  }

  private boolean settled(List<ChaosClient> clients) {
    long newest = clients.stream().flatMap(c -> c.received.keySet().stream()).mapToLong(Long::longValue).max().orElse(0);
    return clients.stream().allMatch(c -> c.joined && c.pending.isEmpty() && c.lastId == newest);
  }

  private void waitFor(long ms) {
    if (ms > 0) {
      vertx.timer(ms).await(); // the scenario's own clock: traffic runs meanwhile
    }
  }

  /**
   * A client that keeps sending and, when its socket closes, reconnects to the next node that is up, says hello
   * until its nick is free, resumes with since and epoch, and sends again what was not acknowledged. Confined to
   * its own context; what the test reads from it is thread-safe.
   */
  private final class ChaosClient {
    final String nick;
    final Map<Long, String> received = new ConcurrentHashMap<>(); // id -> from/cid
    final Map<String, String> pending = new ConcurrentHashMap<>(); // cid -> text, not yet acknowledged
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger resent = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicInteger duplicateDeliveries = new AtomicInteger();
    final AtomicInteger notRecovered = new AtomicInteger();
    final Context context = vertx.getOrCreateContext();
    final WebSocketClient client = vertx.createWebSocketClient();
    volatile boolean joined;
    volatile boolean welcomed;
    volatile long lastId;
    volatile int node;
    volatile String epoch;
    private WebSocket socket;
    private int seq;
    private volatile boolean sending = true;

    ChaosClient(String nick, int node) {
      this.nick = nick;
      this.node = node;
    }

    void start() {
      context.runOnContext(v -> {
        connect();
        vertx.setPeriodic(SEND_EVERY_MS, id -> sendNext());
        // At least once: what stays unacknowledged is sent again, with its cid, until it is.
        vertx.setPeriodic(RESEND_EVERY_MS, id -> resendPending());
      });
    }

    void stopSending() {
      sending = false;
    }

    private void connect() {
      while (down.contains(node)) {
        node = (node + 1) % 3;
      }
      client.connect(httpPorts.get(node), "127.0.0.1", "/ws").onComplete(connected -> {
        if (connected.failed()) {
          node = (node + 1) % 3;
          vertx.setTimer(200, id -> connect());
          return;
        }
        socket = connected.result();
        socket.textMessageHandler(text -> onFrame(new JsonObject(text)));
        socket.closeHandler(v -> {
          joined = false;
          welcomed = false;
          reconnects.incrementAndGet();
          node = (node + 1) % 3;
          vertx.setTimer(100, id -> connect());
        });
        write(new JsonObject().put("type", "hello").put("nick", nick));
      });
    }

    private void onFrame(JsonObject frame) {
      switch (frame.getString("type")) {
        case "welcome" -> {
          welcomed = true;
          JsonObject join = new JsonObject().put("type", "join").put("room", ROOM);
          if (epoch != null) {
            join.put("since", lastId).put("epoch", epoch);
          }
          write(join);
        }
        case "error" -> {
          String code = frame.getString("code");
          // nick_taken: our connection on the dead node, until it is purged; unavailable: a node up before a quorum
          // of the cluster is (it refuses hello and join until then). Either way, as a real client: try again.
          if (!welcomed && ("nick_taken".equals(code) || "unavailable".equals(code))) {
            vertx.setTimer(200, id -> write(new JsonObject().put("type", "hello").put("nick", nick)));
          } else if (!joined && "unavailable".equals(code)) {
            vertx.setTimer(200, id -> onFrame(new JsonObject().put("type", "welcome")));
          }
        }
        case "joined" -> {
          if (frame.containsKey("recovered") && !frame.getBoolean("recovered")) {
            notRecovered.incrementAndGet();
          }
          epoch = frame.getString("epoch");
          JsonArray history = frame.getJsonArray("history");
          history.forEach(m -> receive((JsonObject) m));
          lastId = Math.max(lastId, frame.getLong("lastId"));
          joined = true;
          // What was not acknowledged is sent again, with its cid: stored once at most, whatever happened to it.
          pending.forEach((cid, text) -> {
            resent.incrementAndGet();
            write(send(cid, text));
          });
        }
        case "message" -> receive(frame);
        default -> { } // presence, typing
      }
    }

    private void receive(JsonObject message) {
      long id = message.getLong("id");
      String key = message.getString("from") + "/" + message.getString("cid");
      if (received.putIfAbsent(id, key) != null) {
        duplicateDeliveries.incrementAndGet();
      }
      lastId = Math.max(lastId, id);
      if (nick.equals(message.getString("from")) && pending.remove(message.getString("cid")) != null) {
        acked.add(message.getString("cid"));
      }
    }

    private void resendPending() {
      if (joined) {
        pending.forEach((cid, text) -> {
          resent.incrementAndGet();
          write(send(cid, text));
        });
      }
    }

    private void sendNext() {
      if (sending && joined) {
        String cid = nick + "-" + (++seq);
        pending.put(cid, "m" + seq);
        sent.incrementAndGet();
        write(send(cid, "m" + seq));
      }
    }

    private JsonObject send(String cid, String text) {
      return new JsonObject().put("type", "send").put("room", ROOM).put("text", text).put("cid", cid);
    }

    private void write(JsonObject frame) {
      if (socket != null && !socket.isClosed()) {
        socket.writeTextMessage(frame.encode());
      }
    }
  }
}
