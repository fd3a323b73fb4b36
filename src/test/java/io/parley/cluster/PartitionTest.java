package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.PartitionChecks.ReadySample;
import io.parley.cluster.PartitionChecks.Timeline;
import io.parley.support.NetworkNamespaces;
import io.parley.support.NodeProcess;
import io.parley.support.Postgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network partitions (issue 14). Three nodes, each in a network namespace of its own on one bridge, share a
 * PostgreSQL listening on the bridge. Clients of every node (in the test JVM, root namespace) chat steadily in three
 * rooms. Node 3 is cut off from nodes 1 and 2 for longer than the failure timeout (its clients and the database stay
 * reachable), then healed; later the database is cut off from node 1 alone, then healed. Every client then resumes
 * with {@code since} and {@code epoch}, each room's history is read on every node, and the clients' records are
 * checked ({@link PartitionChecks}): no id given to two messages, no acknowledged message lost, no holes, resumes
 * exact, errors honest ({@code unavailable} retried with the same cid, any other error not stored), the minority
 * unavailable and the majority available while cut off, the minority back after the heal. Figures are logged as one
 * JSON line and appended to {@code target/partition-results.jsonl}; node logs go to {@code target/partition-logs/}.
 *
 * <p>Needs root (namespaces, veth, tc): as anyone else it fails, saying so. The CI run lasts about 90 s. A longer
 * run, one command: {@code mvn -B -q test -Dtest=PartitionTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dparley.partition.seconds=120 -Dparley.partition.dbSeconds=30 -Dparley.partition.rate=300} (see the parameters
 * below; {@code parley.partition.nodeJvmArgs} adds JVM options to the nodes, for diagnosis).
 */
class PartitionTest {

  private static final Logger log = LoggerFactory.getLogger(PartitionTest.class);

  // Parameters: system properties, so that a longer or harder run is one command.
  private static final int PARTITION_S = Integer.getInteger("parley.partition.seconds", 20);
  private static final int DB_CUT_S = Integer.getInteger("parley.partition.dbSeconds", 8);
  private static final int RATE = Integer.getInteger("parley.partition.rate", 150); // messages/s, all clients
  private static final int CLIENTS_PER_NODE = Integer.getInteger("parley.partition.clientsPerNode", 2);
  private static final int WARMUP_S = Integer.getInteger("parley.partition.warmupSeconds", 5);
  private static final int AFTER_HEAL_S = Integer.getInteger("parley.partition.afterHealSeconds", 8);
  private static final int FAILURE_TIMEOUT_S = Integer.getInteger("parley.partition.failureTimeoutS", 5);
  private static final int GRACE_S = Integer.getInteger("parley.partition.graceSeconds", 1);
  private static final int RECOVERY_BOUND_S = Integer.getInteger("parley.partition.recoveryBoundS", 30);
  /** Consecutive acknowledgements (after the heal) of each minority client that count as recovered. */
  private static final int RECOVERED_AFTER_ACKS = 3;
  private static final long RECOVERED_STEADY_MS = 3000;
  private static final String NODE_JVM_ARGS = System.getProperty("parley.partition.nodeJvmArgs", "").trim();

  private static final int NODES = 3;
  private static final int MINORITY = 3;
  private static final int HTTP_PORT = 8080; // every node has its own namespace, hence its own ports
  private static final int HAZELCAST_PORT = 5701;
  private static final int PARTITION_FAULT = 10;
  private static final int DATABASE_FAULT = 20;
  private static final List<String> ROOMS = List.of("north", "south", "west");
  private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+)");
  private static final Path LOGS = Path.of("target", "partition-logs");
  private static final Path RESULTS = Path.of("target", "partition-results.jsonl");

  private static NetworkNamespaces net;
  private static Postgres postgres;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static Vertx vertx;

  @TempDir
  static Path workDir;

  private final long t0 = System.nanoTime();
  private final List<ReadySample> readiness = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, Integer> members = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> membersRead = new ConcurrentHashMap<>();
  private final List<String> membershipChanges = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void hosts() {
    NetworkNamespaces.requireRoot("PartitionTest");
    net = NetworkNamespaces.create(NODES);
    postgres = Postgres.dedicated(net.bridgeAddress(), net.cidr());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    try {
      saveLogs();
      nodes.forEach(NodeProcess::close);
      saveLogs();
    } finally {
      if (vertx != null) {
        vertx.close().await();
      }
      if (postgres != null) {
        postgres.close();
      }
      if (net != null) {
        net.close();
      }
    }
  }

  private static void saveLogs() {
    try {
      Files.createDirectories(LOGS);
      for (int i = 0; i < nodes.size(); i++) {
        Files.write(LOGS.resolve("node" + (i + 1) + ".log"), nodes.get(i).output(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      log.warn("could not save the node logs: {}", e.toString());
    }
  }

  private long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 3600) // a long run is asked for by its length; every wait inside is bounded
  void a_partitioned_minority_stops_acknowledging_and_nothing_acknowledged_is_lost_or_duplicated() {
    String database = postgres.freshDatabase(net.bridgeAddress());
    for (int i = 1; i <= NODES; i++) {
      nodes.add(NodeProcess.startIn(net.namespace(i), workDir, environment(i, database), nodeJvmArgs()));
    }
    nodes.forEach(node -> node.awaitUp(120));
    startWatching();
    waitUntil(() -> allMembers(NODES), 60_000);
    assertTrue(allMembers(NODES), "the cluster formed: members " + members);
    log.info("cluster of {} up ({} ms)", NODES, now());

    List<PartitionClient> clients = new ArrayList<>();
    for (int node = 1; node <= NODES; node++) {
      for (int k = 1; k <= CLIENTS_PER_NODE; k++) {
        clients.add(new PartitionClient(vertx, "n" + node + "c" + k, node, ROOMS, net::address, HTTP_PORT, this::now));
      }
    }
    await(Future.all(clients.stream().map(PartitionClient::start).toList()), 30, "every client joined every room");
    long every = Math.max(1, 1000L * clients.size() / RATE);
    for (int i = 0; i < clients.size(); i++) {
      clients.get(i).sendEvery(every, every * i / clients.size());
    }
    long loadAt = now();
    pause(WARMUP_S * 1000L);

    // The partition: node 3 loses nodes 1 and 2, both ways; its clients and the database stay reachable.
    long cutAt = now();
    net.cut(PARTITION_FAULT, MINORITY, 1, 2);
    log.info("cut node {} off at {} ms", MINORITY, cutAt);
    pause(PARTITION_S * 1000L);
    Map<Integer, Integer> membersCut = new HashMap<>(members);
    long dropped = net.dropped(MINORITY);
    long healAt = now();
    net.heal(PARTITION_FAULT, MINORITY);
    log.info("healed at {} ms (members meanwhile {}, {} packets dropped)", healAt, membersCut, dropped);
    waitUntil(() -> allMembers(NODES), RECOVERY_BOUND_S * 1000L);
    Long wholeAt = allMembers(NODES) ? now() : null;
    log.info("whole again: {}", wholeAt == null ? "no, members " + members : wholeAt + " ms");
    // The minority's clients are closed by their node when it rejoins and come back: the next fault waits for them
    // (within the recovery bound (h) checks), so that a slow recovery is measured, not cut short by the next fault.
    waitUntil(() -> clients.stream().allMatch(c -> c.recoveredFrom(MINORITY, healAt, RECOVERED_AFTER_ACKS,
        RECOVERED_STEADY_MS)),
        Math.max(0, healAt + RECOVERY_BOUND_S * 1000L - now()));
    log.info("the minority's clients acknowledged again by {} ms", now());
    pause(AFTER_HEAL_S * 1000L);

    // The database cut off from node 1 alone.
    long dbCutAt = now();
    net.cutFromBridgePort(DATABASE_FAULT, 1, postgres.port());
    log.info("database cut off from node 1 at {} ms", dbCutAt);
    pause(DB_CUT_S * 1000L);
    long dbHealAt = now();
    net.heal(DATABASE_FAULT, 1);
    log.info("database back for node 1 at {} ms", dbHealAt);
    pause(AFTER_HEAL_S * 1000L);
    long stopAt = now();
    clients.forEach(PartitionClient::stopSending);

    // Quiet: what was answered unavailable is retried until acknowledged (bounded).
    waitUntil(() -> clients.stream().mapToLong(PartitionClient::pendingCount).sum() == 0,
        PartitionClient.SILENCE_MS + 20_000);
    pause(1000);
    // Every client resumes every room: the first of each node on a new connection to the next node, the others on
    // their own connection.
    List<Future<Void>> resumes = new ArrayList<>();
    for (PartitionClient client : clients) {
      boolean first = client.nick.endsWith("c1");
      resumes.add(client.resume(first, first ? client.node() % NODES + 1 : client.node()));
    }
    await(Future.join(new ArrayList<>(resumes)), 60, "every client resumed every room");
    pause(1000);

    Map<Integer, Map<String, JsonObject>> histories = new HashMap<>();
    for (int node = 1; node <= NODES; node++) {
      PartitionClient reader = new PartitionClient(vertx, "reader" + node, node, List.of(), net::address, HTTP_PORT,
          this::now);
      await(reader.start(), 30, "a reader connected to node " + node);
      Map<String, JsonObject> rooms = new HashMap<>();
      for (String room : ROOMS) {
        rooms.put(room, await(reader.fullHistory(room), 60, "the history of " + room + " on node " + node));
      }
      histories.put(node, rooms);
      await(reader.close(), 10, "a reader closed");
    }
    clients.forEach(c -> await(c.close(), 10, c.nick + " closed"));
    saveLogs();

    Timeline timeline = new Timeline(loadAt, cutAt, healAt, wholeAt, dbCutAt, dbHealAt, stopAt,
        FAILURE_TIMEOUT_S * 1000L, GRACE_S * 1000L, RECOVERY_BOUND_S * 1000L, MINORITY, List.of(1, 2),
        noticed(MINORITY, 1, cutAt, healAt), noticed(1, NODES - 1, cutAt, healAt));
    PartitionChecks checks = new PartitionChecks(clients, histories, 1, timeline, new ArrayList<>(readiness)).run();
    JsonObject report = new JsonObject().put("test", "PartitionTest")
        .put("faults", new JsonObject()
            .put("partitionS", (healAt - cutAt) / 1000.0).put("databaseCutS", (dbHealAt - dbCutAt) / 1000.0)
            .put("failureTimeoutS", FAILURE_TIMEOUT_S).put("packetsDroppedByThePartition", dropped)
            .put("membersWhileCut", new JsonObject(new HashMap<>(stringKeys(membersCut)))))
        .put("rate", RATE).put("clients", clients.size()).put("loadS", (stopAt - loadAt) / 1000.0)
        .put("nodeJvmArgs", NODE_JVM_ARGS)
        .mergeIn(checks.figures())
        .put("membershipChanges", new io.vertx.core.json.JsonArray(new ArrayList<>(membershipChanges)))
        .put("failedChecks", checks.failures().size())
        .put("runS", now() / 1000.0);
    log.info("partition: {}", report.encode());
    try {
      Files.createDirectories(RESULTS.getParent());
      Files.writeString(RESULTS, report.encode() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    checks.failures().forEach(f -> log.warn("partition check failed: {}", f));
    assertTrue(checks.failures().isEmpty(), checks.failures().size() + " checks failed:\n"
        + String.join("\n", checks.failures()) + "\nfigures: " + report.encode());
  }

  private static Map<String, Object> stringKeys(Map<Integer, Integer> map) {
    Map<String, Object> out = new HashMap<>();
    map.forEach((k, v) -> out.put("node" + k, v));
    return out;
  }

  private Map<String, String> environment(int node, String database) {
    StringBuilder memberList = new StringBuilder();
    for (int i = 1; i <= NODES; i++) {
      memberList.append(i > 1 ? "," : "").append(net.address(i)).append(':').append(HAZELCAST_PORT);
    }
    Map<String, String> env = new HashMap<>();
    env.put("NODE_NAME", "node" + node);
    env.put("HTTP_HOST", net.address(node));
    env.put("HTTP_PORT", Integer.toString(HTTP_PORT));
    env.put("CLUSTER_ENABLED", "true");
    env.put("CLUSTER_HOST", net.address(node));
    env.put("HAZELCAST_PORT", Integer.toString(HAZELCAST_PORT));
    env.put("CLUSTER_MEMBERS", memberList.toString());
    env.put("CLUSTER_FAILURE_TIMEOUT_S", Integer.toString(FAILURE_TIMEOUT_S));
    env.put("DATABASE_URL", database);
    env.put("EVENT_LOOPS", "2");
    // A client that missed the minority's or majority's messages gets them all in one resume.
    env.put("HISTORY_SIZE", "20000");
    env.put("HISTORY_PAGE_MAX", "5000");
    // The load is 25 messages/s per client, plus retries: the per-connection limit must not be what answers.
    env.put("RATE_LIMIT_PER_S", "1000");
    env.put("RATE_LIMIT_BURST", "2000");
    return env;
  }

  private static String[] nodeJvmArgs() {
    List<String> args = new ArrayList<>(List.of("-Xmx512m", "-Dlogback.configurationFile=logback-partition-node.xml"));
    if (!NODE_JVM_ARGS.isEmpty()) {
      args.addAll(List.of(NODE_JVM_ARGS.split("\\s+")));
    }
    return args.toArray(String[]::new);
  }

  /** Polls every node's /ready (twice a second) and reads its member count from its log (five times a second). */
  private void startWatching() {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1000).setKeepAlive(false));
    vertx.setPeriodic(500, id -> {
      for (int i = 1; i <= NODES; i++) {
        int node = i;
        long at = now();
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(net.address(node)).setPort(HTTP_PORT)
                .setURI("/ready").setIdleTimeout(1000))
            .compose(request -> request.send().compose(response -> response.body()
                .map(body -> new ReadySample(node, at, response.statusCode(), body.toString()))))
            .onSuccess(readiness::add)
            .onFailure(e -> readiness.add(new ReadySample(node, at, -1, String.valueOf(e.getMessage()))));
      }
    });
    vertx.setPeriodic(200, id -> {
      for (int i = 1; i <= NODES; i++) {
        List<String> lines = nodes.get(i - 1).output();
        int from = membersRead.getOrDefault(i, 0);
        for (String line : lines.subList(Math.min(from, lines.size()), lines.size())) {
          Matcher m = MEMBERS.matcher(line);
          if (m.find()) {
            int size = Integer.parseInt(m.group(1));
            if (!Integer.valueOf(size).equals(members.put(i, size))) {
              membershipChanges.add("node" + i + "=" + size + "@" + now());
            }
          }
        }
        membersRead.put(i, lines.size());
      }
    });
  }

  private boolean allMembers(int size) {
    for (int i = 1; i <= NODES; i++) {
      if (members.getOrDefault(i, 0) != size) {
        return false;
      }
    }
    return true;
  }

  private void waitUntil(BooleanSupplier condition, long ms) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      vertx.timer(200).await();
    }
  }

  private static <T> T await(Future<T> future, long seconds, String what) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("not within " + seconds + " s: " + what, e);
    }
  }

  private void pause(long ms) {
    if (ms > 0) {
      vertx.timer(ms).await(); // the scenario's own clock: traffic runs meanwhile
    }
  }

  /** When node {@code node} first saw {@code size} members between {@code from} and {@code to} (null: never). */
  private Long noticed(int node, int size, long from, long to) {
    synchronized (membershipChanges) {
      for (String change : membershipChanges) {
        String[] parts = change.split("[=@]");
        long at = Long.parseLong(parts[2]);
        if (parts[0].equals("node" + node) && Integer.parseInt(parts[1]) == size && at >= from && at < to) {
          return at;
        }
      }
    }
    return null;
  }
}
