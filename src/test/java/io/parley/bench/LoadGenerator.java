package io.parley.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark's load generator: many WebSocket clients of a chat server (Parley, or a ws or Socket.IO peer in
 * bench/peers), each in one room, some of them sending. Prints one JSON line per step of the ramp (or one for the
 * idle scenario): achieved deliveries/s, loss, duplicates, order, latency percentiles, server CPU and memory.
 *
 * <pre>
 * --target parley|ws|socketio   --servers host:port[,host:port...]   --connections N   --rooms R   --senders S
 * --rate D | --ramp D1,D2,...   (target deliveries/s: messages sent x members of their room)
 * --duration S  --warmup S (first step)  --step-warmup S (each later step)  --idle  --server-pids p1,p2
 * --label text  --scenario x  --text-bytes B
 * </pre>
 *
 * Everything runs on one event loop (the load generator is pinned to one core); only main waits.
 */
public final class LoadGenerator {

  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
  private static final long DRAIN_MS = 5000;
  private static final long IDLE_MS = 5000;

  private final Options options;
  private final Vertx vertx;
  private final Context loop;
  private final Protocol protocol;
  private final Stats stats;
  private final ProcStats proc;
  private final Fleet fleet;
  private final Senders senders;

  private LoadGenerator(Options options) {
    this.options = options;
    this.vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
    this.loop = vertx.getOrCreateContext();
    this.protocol = Protocol.of(options.target(), options.transport());
    this.stats = new Stats(options);
    this.proc = new ProcStats(options.serverPids());
    this.fleet = new Fleet(vertx, options, protocol, stats);
    this.senders = new Senders(vertx, options, protocol, stats, fleet);
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      log.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    PrintStream out = System.out;
    try {
      run(options, line -> {
        out.println(line.encode());
        out.flush();
      });
    } catch (Exception e) {
      log.error("the run failed: {}", e.getMessage(), e);
      System.exit(1);
    }
    System.exit(0);  // no thread of ours may keep the JVM up
  }

  /** Runs every step (or the idle scenario), handing each result line to {@code onResult} as it is made. */
  public static List<JsonObject> run(Options options, Consumer<JsonObject> onResult) throws InterruptedException {
    LoadGenerator generator = new LoadGenerator(options);
    try {
      return generator.run(onResult);
    } finally {
      generator.loop.runOnContext(v -> generator.stats.finish());
      generator.vertx.close().await();
    }
  }

  private List<JsonObject> run(Consumer<JsonObject> onResult) throws InterruptedException {
    List<JsonObject> results = new ArrayList<>();
    if (options.idle()) {
      idle(results, onResult);
      return results;
    }
    long setupStart = System.nanoTime();
    onLoop(fleet::connect).await();
    double setupS = (System.nanoTime() - setupStart) / 1e9;
    log.info("{} connections joined {} rooms in {} s", options.connections(), options.rooms(), round(setupS));
    for (int step = 0; step < options.rates().size(); step++) {
      double rate = options.rates().get(step);
      int warmupS = step == 0 ? options.warmupS() : options.stepWarmupS();
      log.info("step {}: {} deliveries/s for {} s after {} s", step, rate, options.durationS(), warmupS);
      JsonObject result = onLoop(() -> step(rate, warmupS)).await();
      report(result.put("step", step).put("warmupS", warmupS).put("setupS", round(setupS)), results, onResult);
    }
    return results;
  }

  private static void report(JsonObject result, List<JsonObject> results, Consumer<JsonObject> onResult) {
    results.add(result);
    onResult.accept(result);
  }

  /** Sends at {@code rate}: warm-up, measurement window, then a drain for what is still on its way. */
  private Future<JsonObject> step(double rate, int warmupS) {
    stats.startStep();
    senders.start(rate);
    return delay(warmupS * 1000L)
        .compose(v -> vertx.executeBlocking(proc::start))
        .compose(window -> {
          stats.openWindow(senders.sent());
          return delay(options.durationS() * 1000L).map(window);
        })
        .compose(window -> {
          senders.stop();
          stats.closeWindow(senders.sent());
          long received = stats.received();
          return vertx.executeBlocking(window::stop)
              .compose(usage -> drain().map(drainS -> stepResult(rate, received, usage, drainS)));
        });
  }

  /** Waits until every expected delivery arrived, or {@value #DRAIN_MS} ms; completes with the seconds waited. */
  private Future<Double> drain() {
    Promise<Double> drained = Promise.promise();
    long start = System.nanoTime();
    vertx.setPeriodic(20, id -> {
      double waitedS = (System.nanoTime() - start) / 1e9;
      if (stats.allArrived() || waitedS * 1000 >= DRAIN_MS) {
        vertx.cancelTimer(id);
        drained.complete(round(waitedS));
      }
    });
    return drained.future();
  }

  private JsonObject stepResult(double rate, long received, ProcStats.Usage usage, double drainS) {
    JsonObject result = common().put("targetDeliveriesPerS", rate)
        .put("achievedDeliveriesPerS", Math.round(received / usage.seconds()))
        .mergeIn(stats.stepResult());
    return result
        .put("serverCpuS", round(usage.serverCpuS()))
        .put("serverCpuUsPerDelivery", received == 0 ? null : round(usage.serverCpuS() * 1e6 / received))
        .put("loadGenCpuS", round(usage.loadGenCpuS()))
        .put("windowS", round(usage.seconds()))
        .put("drainS", drainS)
        .put("peakRssKb", usage.peakRssKb())
        .put("vmHwmKb", usage.vmHwmKb());
  }

  /**
   * The idle scenario, in two rounds of as many connections. The first, from a fresh server, gives the cold figure:
   * it includes what a server spends once (compiled code, classes loaded, buffer pools and tables grown, the rooms
   * created). Its connections then leave, and the second round, measured from the memory they left, gives the
   * marginal figure: what one more idle connection costs. Each round's nicks are its own.
   */
  private void idle(List<JsonObject> results, Consumer<JsonObject> onResult) throws InterruptedException {
    ProcStats.Memory cold = proc.settledMemory();
    Map<String, Long> coldClasses = proc.classHistogram();
    Fleet first = new Fleet(vertx, options, protocol, new Stats(options), options.connections());
    long start = System.nanoTime();
    onLoop(first::connect).await();
    double coldSetupS = (System.nanoTime() - start) / 1e9;
    Thread.sleep(IDLE_MS);
    ProcStats.Memory coldIdle = proc.settledMemory();
    onLoop(first::close).await();
    log.info("first round: {} connections joined in {} s, and left", options.connections(), round(coldSetupS));
    Thread.sleep(IDLE_MS);
    ProcStats.Memory baseline = proc.settledMemory();
    Map<String, Long> baselineClasses = proc.classHistogram();
    logHeapGrowth("left on the heap by the first round, per connection it had", coldClasses, baselineClasses);
    proc.nativeMemory("baseline");
    start = System.nanoTime();
    onLoop(fleet::connect).await();
    double setupS = (System.nanoTime() - start) / 1e9;
    log.info("second round: {} connections joined {} rooms in {} s", options.connections(), options.rooms(),
        round(setupS));
    Thread.sleep(IDLE_MS);
    JsonObject result = idleResult(baseline, proc.settledMemory(), setupS);
    long connections = options.connections();
    result.put("coldRssBaselineKb", cold.rssKb())
        .put("coldBytesPerConnection", (coldIdle.rssKb() - cold.rssKb()) * 1024 / connections)
        .put("coldHeapBytesPerConnection", (coldIdle.heapUsedKb() - cold.heapUsedKb()) * 1024 / connections)
        .put("coldSetupS", round(coldSetupS));
    report(result, results, onResult);
    logHeapGrowth("heap growth per connection", baselineClasses, proc.classHistogram());
    log.info("native memory growth (jcmd VM.native_memory summary.diff, when the server tracks it):\n{}",
        proc.nativeMemory("summary.diff"));
  }

  /** Where an idle connection's heap goes: the classes that grew most, in bytes per connection (to the log). */
  private void logHeapGrowth(String what, Map<String, Long> before, Map<String, Long> after) {
    if (after.isEmpty()) {
      return;
    }
    long connections = options.connections();
    StringBuilder table = new StringBuilder(what + ", by class (jcmd GC.class_histogram):");
    after.entrySet().stream()
        .map(entry -> Map.entry(entry.getKey(), entry.getValue() - before.getOrDefault(entry.getKey(), 0L)))
        .filter(entry -> entry.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(40)
        .forEach(entry -> table.append(String.format("%n%9.1f B  %s", (double) entry.getValue() / connections,
            entry.getKey())));
    long total = after.values().stream().mapToLong(Long::longValue).sum()
        - before.values().stream().mapToLong(Long::longValue).sum();
    table.append(String.format("%n%9.1f B  in all", (double) total / connections));
    log.info("{}", table);
  }

  private JsonObject idleResult(ProcStats.Memory baseline, ProcStats.Memory idle, double setupS) {
    long connections = options.connections();
    return common().put("idle", true)
        .put("setupS", round(setupS))
        .put("rssBaselineKb", baseline.rssKb())
        .put("rssKb", idle.rssKb())
        .put("bytesPerConnection", (idle.rssKb() - baseline.rssKb()) * 1024 / connections)
        .put("heapUsedBaselineKb", baseline.heapUsedKb())
        .put("heapUsedKb", idle.heapUsedKb())
        .put("heapBytesPerConnection", (idle.heapUsedKb() - baseline.heapUsedKb()) * 1024 / connections)
        .put("vmHwmKb", proc.vmHwmKb());
  }

  private JsonObject common() {
    return new JsonObject()
        .put("label", options.label())
        .put("scenario", options.scenario())
        .put("target", options.target())
        .put("connections", options.connections())
        .put("rooms", options.rooms())
        .put("senders", options.senders())
        .put("servers", options.servers().size())
        .put("serverProcesses", options.serverPids().size())
        .put("durationS", options.durationS())
        .put("textBytes", options.textBytes());
  }

  private Future<Void> delay(long ms) {
    if (ms <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> elapsed = Promise.promise();
    vertx.setTimer(ms, id -> elapsed.complete());
    return elapsed.future();
  }

  /** Runs {@code work} on the event loop, from main. */
  private <T> Future<T> onLoop(Supplier<Future<T>> work) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> work.get().onComplete(done));
    return done.future();
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
