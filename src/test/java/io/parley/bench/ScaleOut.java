package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario e, part one: as many joined connections as a cluster of nodes on one machine holds, all in one room,
 * then one message to that room, timed to its last member. Two roles, each a process:
 * <ul>
 *   <li>{@code clients}: a share of the connections ({@code --first}, {@code --count}), from one source address
 *       ({@code --local-address}, 127.0.0.x: each has its own ephemeral ports), connection j to node j % nodes, nick
 *       {@code e<j>}; at most {@code --concurrent-joins} hellos and joins in flight. A join answered
 *       {@code unavailable} (the node's chat service was busier than {@code REQUEST_TIMEOUT_MS}) is asked again a
 *       second later. It writes {@code joined-<id>.json} into {@code --dir} once all have joined; the process of id 0
 *       sends the message when {@code send} appears there; each writes {@code result-<id>.json} (when each of its
 *       members received it, in microseconds of the one clock of this machine) and exits when {@code stop} appears.</li>
 *   <li>{@code coordinate}: waits for every share to join, measures the nodes ({@code --server-pids}): CPU of the
 *       join phase, then VmRSS and heap after a full GC each; asks for the message, waits for the results, and prints
 *       the result line (the CPU of the delivery, the time to the first and the last member, what was lost).</li>
 * </ul>
 * The files are the whole protocol between them: run.sh starts the processes and the coordinator, nothing else.
 */
final class ScaleOut {

  private static final Logger log = LoggerFactory.getLogger(ScaleOut.class);
  private static final Set<String> RETRIED = Set.of("unavailable", "internal_error");
  private static final long DELIVERY_WAIT_MS = 30_000;

  private ScaleOut() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String role = args.length == 0 ? "" : args[0];
    try {
      switch (role) {
        case "clients" -> clients(options);
        case "coordinate" -> coordinate(options, System.out);
        default -> throw new IllegalArgumentException("usage: ScaleOut clients|coordinate --key value ...");
      }
    } catch (Exception e) {
      log.error("scale-out {} failed: {}", role, e.getMessage(), e);
      System.exit(1);
    }
    System.exit(0);
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return value;
  }

  /** Microseconds since the epoch: the clock every process of this machine shares. */
  static long nowMicros() {
    Instant now = Clock.systemUTC().instant();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
  }

  // ---- clients ----------------------------------------------------------------------------------------------------

  /** One connection of a share: joined, and when it received the message (0: not yet). */
  private static final class Member {
    final int index;
    WebSocket socket;
    long receivedMicros;

    Member(int index) {
      this.index = index;
    }
  }

  private static void clients(Map<String, String> options) throws Exception {
    Share share = new Share(options);
    Vertx vertx = Vertx.vertx();
    Promise<Void> done = Promise.promise();
    // Everything of the share runs on one event loop: its sockets are made from that context.
    vertx.runOnContext(v -> share.run(vertx).onComplete(done));
    done.future().await();
    vertx.close().await();
  }

  private static final class Share {
    private final List<String> servers;
    private final int first;
    private final int count;
    private final String room;
    private final int concurrent;
    private final Path dir;
    private final int id;
    private final String localAddress;
    private final List<Member> members = new ArrayList<>();
    private WebSocketClient client;
    private FileSystem files;
    private int next;
    private int joined;
    private int received;
    private int retries;
    private long firstMicros;
    private long lastMicros;
    private long sentMicros;
    private boolean sendSeen;
    private final Promise<Void> allReceived = Promise.promise();

    Share(Map<String, String> options) {
      servers = List.of(required(options, "servers").split(","));
      first = Integer.parseInt(required(options, "first"));
      count = Integer.parseInt(required(options, "count"));
      room = options.getOrDefault("room", "everyone");
      concurrent = Integer.parseInt(options.getOrDefault("concurrent-joins", "20"));
      dir = Path.of(required(options, "dir"));
      id = Integer.parseInt(required(options, "id"));
      localAddress = options.get("local-address");
      for (int i = first; i < first + count; i++) {
        members.add(new Member(i));
      }
    }

    Future<Void> run(Vertx vertx) {
      files = vertx.fileSystem();
      WebSocketClientOptions clientOptions = new WebSocketClientOptions().setMaxConnections(count + concurrent)
          .setConnectTimeout(30_000).setTcpNoDelay(true);
      if (localAddress != null) {
        clientOptions.setLocalAddress(localAddress);
      }
      client = vertx.createWebSocketClient(clientOptions);
      long started = System.nanoTime();
      List<Future<Void>> chains = new ArrayList<>();
      for (int i = 0; i < Math.min(concurrent, count); i++) {
        chains.add(joinNext(vertx));
      }
      return Future.all(chains)
          .compose(v -> {
            double seconds = (System.nanoTime() - started) / 1e9;
            log.info("share {}: {} connections joined in {} s ({} joins asked again)", id, count,
                String.format("%.1f", seconds), retries);
            return write("joined-" + id + ".json", new JsonObject().put("id", id).put("connections", count)
                .put("joinS", seconds).put("retries", retries));
          })
          .compose(v -> waitFor(vertx, "send"))
          .compose(v -> {
            sendSeen = true;
            if (id == 0) {
              sentMicros = nowMicros();
              members.get(0).socket.writeTextMessage(
                  new JsonObject().put("type", "send").put("room", room).put("text", "to everyone").encode());
            }
            vertx.setTimer(DELIVERY_WAIT_MS, t -> allReceived.tryComplete());
            if (received == count) {
              allReceived.tryComplete();
            }
            return allReceived.future();
          })
          .compose(v -> write("result-" + id + ".json", new JsonObject().put("id", id).put("connections", count)
              .put("received", received).put("sentMicros", sentMicros).put("firstMicros", firstMicros)
              .put("lastMicros", lastMicros)))
          .compose(v -> waitFor(vertx, "stop"));
    }

    private Future<Void> joinNext(Vertx vertx) {
      if (next == members.size()) {
        return Future.succeededFuture();
      }
      Member member = members.get(next++);
      return join(vertx, member).compose(v -> {
        if (++joined % 2000 == 0 || joined == count) {
          log.info("share {}: {} of {} joined", id, joined, count);
        }
        return joinNext(vertx);
      });
    }

    /** Connects, says hello, joins; a request refused as unavailable is asked again a second later. */
    private Future<Void> join(Vertx vertx, Member member) {
      String server = servers.get(member.index % servers.size());
      int colon = server.lastIndexOf(':');
      Promise<Void> ready = Promise.promise();
      WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(server.substring(0, colon))
          .setPort(Integer.parseInt(server.substring(colon + 1))).setURI("/ws").setTimeout(60_000);
      String hello = new JsonObject().put("type", "hello").put("nick", "e" + member.index).put("ref", "hello")
          .encode();
      String join = new JsonObject().put("type", "join").put("room", room).put("ref", "join").encode();
      client.connect(connect).onFailure(ready::tryFail).onSuccess(socket -> {
        member.socket = socket;
        socket.exceptionHandler(e -> ready.tryFail(e));
        socket.closeHandler(v -> ready.tryFail("connection " + member.index + " closed by " + server));
        socket.textMessageHandler(text -> {
          if (text.startsWith("{\"type\":\"message\"")) {
            delivered(member);
          } else if (text.startsWith("{\"type\":\"welcome\"")) {
            socket.writeTextMessage(join);
          } else if (text.startsWith("{\"type\":\"joined\"")) {
            ready.tryComplete();
          } else if (text.startsWith("{\"type\":\"error\"")) {
            JsonObject error = new JsonObject(text);
            if (RETRIED.contains(error.getString("code"))) {
              retries++;
              String again = "hello".equals(error.getString("ref")) ? hello : join;
              vertx.setTimer(1000, t -> socket.writeTextMessage(again));
            } else {
              ready.tryFail("connection " + member.index + " refused: " + text);
            }
          }
          // presence, count and typing frames are expected, and ignored
        });
        socket.writeTextMessage(hello);
      });
      return ready.future();
    }

    private void delivered(Member member) {
      if (member.receivedMicros != 0) {
        return;
      }
      long now = nowMicros();
      member.receivedMicros = now;
      firstMicros = firstMicros == 0 ? now : Math.min(firstMicros, now);
      lastMicros = Math.max(lastMicros, now);
      if (++received == count && sendSeen) {
        allReceived.tryComplete();
      }
    }

    /** Writes a file of the protocol whole (a temporary one, then moved), so that its reader never sees half. */
    private Future<Void> write(String name, JsonObject content) {
      String target = dir.resolve(name).toString();
      String temporary = target + ".tmp";
      return files.writeFile(temporary, Buffer.buffer(content.encode()))
          .compose(v -> files.move(temporary, target, new io.vertx.core.file.CopyOptions().setReplaceExisting(true)));
    }

    private Future<Void> waitFor(Vertx vertx, String name) {
      Promise<Void> seen = Promise.promise();
      String path = dir.resolve(name).toString();
      vertx.setPeriodic(100, timer -> files.exists(path).onSuccess(exists -> {
        if (exists) {
          vertx.cancelTimer(timer);
          seen.tryComplete();
        }
      }));
      return seen.future();
    }
  }

  // ---- coordinator ------------------------------------------------------------------------------------------------

  private static void coordinate(Map<String, String> options, PrintStream out) throws Exception {
    Path dir = Path.of(required(options, "dir"));
    int processes = Integer.parseInt(required(options, "processes"));
    List<Long> pids = java.util.Arrays.stream(required(options, "server-pids").split(",")).map(Long::parseLong)
        .toList();
    long joinTimeoutS = Long.parseLong(options.getOrDefault("join-timeout", "3600"));
    ProcStats all = new ProcStats(pids);
    long started = System.nanoTime();
    ProcStats.Window joining = all.start();
    List<JsonObject> joinedShares = awaitFiles(dir, "joined-", processes, joinTimeoutS);
    ProcStats.Usage joinUsage = joining.stop();
    double joinS = (System.nanoTime() - started) / 1e9;
    int connections = joinedShares.stream().mapToInt(share -> share.getInteger("connections")).sum();
    int retries = joinedShares.stream().mapToInt(share -> share.getInteger("retries")).sum();
    log.info("all {} connections joined in {} s; measuring the nodes", connections, String.format("%.1f", joinS));

    JsonArray rss = new JsonArray();
    JsonArray heap = new JsonArray();
    for (long pid : pids) {
      ProcStats.Memory memory = new ProcStats(List.of(pid)).settledMemory();
      rss.add(memory.rssKb());
      heap.add(memory.heapUsedKb());
    }

    ProcStats.Window delivering = all.start();
    Files.writeString(dir.resolve("send"), "");
    List<JsonObject> results = awaitFiles(dir, "result-", processes, DELIVERY_WAIT_MS / 1000 + 30);
    ProcStats.Usage deliveryUsage = delivering.stop();
    Files.writeString(dir.resolve("stop"), "");

    long sent = results.stream().mapToLong(r -> r.getLong("sentMicros")).max().orElse(0);
    long firstAt = results.stream().mapToLong(r -> r.getLong("firstMicros")).filter(t -> t > 0).min().orElse(0);
    long lastAt = results.stream().mapToLong(r -> r.getLong("lastMicros")).max().orElse(0);
    int delivered = results.stream().mapToInt(r -> r.getInteger("received")).sum();
    out.println(new JsonObject().put("label", options.getOrDefault("label", "")).put("scenario", "e")
        .put("target", options.getOrDefault("target", "parley")).put("part", "scale-out")
        .put("nodes", pids.size()).put("connections", connections).put("processes", processes)
        .put("joinS", round(joinS)).put("joinsPerS", round(connections / joinS)).put("joinRetries", retries)
        .put("nodeCpuSJoin", round(joinUsage.serverCpuS())).put("loadGenCpuSJoin", round(joinUsage.loadGenCpuS()))
        .put("rssKbPerNode", rss).put("heapKbPerNodeAfterGc", heap)
        .put("rssKbMean", mean(rss)).put("heapKbMean", mean(heap))
        .put("delivered", delivered).put("lost", connections - delivered)
        .put("timeToFirstMemberMs", round((firstAt - sent) / 1000.0))
        .put("timeToLastMemberMs", round((lastAt - sent) / 1000.0))
        .put("nodeCpuSDelivery", round(deliveryUsage.serverCpuS()))
        .put("deliveryWindowS", round(deliveryUsage.seconds())).encode());
    out.flush();
  }

  /** The JSON of {@code count} files named {@code prefix<id>.json}, once all are there. */
  private static List<JsonObject> awaitFiles(Path dir, String prefix, int count, long timeoutS)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    while (true) {
      List<JsonObject> found = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Path file = dir.resolve(prefix + i + ".json");
        if (Files.exists(file)) {
          found.add(new JsonObject(Files.readString(file)));
        }
      }
      if (found.size() == count) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(found.size() + " of " + count + " " + prefix + "files after " + timeoutS + " s");
      }
      Thread.sleep(200); // a bench's main thread polling files, not an event loop
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static long mean(JsonArray values) {
    return values.isEmpty() ? 0 : values.stream().mapToLong(v -> ((Number) v).longValue()).sum() / values.size();
  }
}
