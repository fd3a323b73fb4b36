package io.parley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU time and memory of the server processes (and of this one) from Linux's /proc. Blocking file reads and
 * jcmd runs: call it off the event loop.
 */
final class ProcStats {

  private static final Logger log = LoggerFactory.getLogger(ProcStats.class);

  // a generation's line of GC.heap_info: "PSYoungGen total 113152K, used 19456K [...", "garbage-first heap total ..."
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private final List<Long> pids;
  private final double ticksPerSecond = clockTicks();

  ProcStats(List<Long> pids) {
    this.pids = pids;
  }

  /** CPU use and peak memory of one measurement window: {@link #stop} it at the end. */
  final class Window {
    private final long startNanos = System.nanoTime();
    private final long serverTicks = serverTicks();
    private final long selfTicks = ticks("self");
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "rss-sampler");
      thread.setDaemon(true);
      return thread;
    });
    private volatile long peakRssKb = rssKb();

    private Window() {
      sampler.scheduleAtFixedRate(() -> peakRssKb = Math.max(peakRssKb, rssKb()), 100, 100, TimeUnit.MILLISECONDS);
    }

    Usage stop() {
      sampler.shutdownNow();
      long peak = Math.max(peakRssKb, rssKb());
      return new Usage((serverTicks() - serverTicks) / ticksPerSecond, (ticks("self") - selfTicks) / ticksPerSecond,
          peak, vmHwmKb(), (System.nanoTime() - startNanos) / 1e9);
    }
  }

  /** Server and load-generator CPU seconds, summed VmRSS peak and VmHWM of the servers. */
  record Usage(double serverCpuS, double loadGenCpuS, long peakRssKb, long vmHwmKb, double seconds) {
  }

  Window start() {
    return new Window();
  }

  /** Summed VmRSS of the servers now. */
  long rssKb() {
    return status("VmRSS:");
  }

  /** Summed VmHWM (each server's own peak RSS since it started). */
  long vmHwmKb() {
    return status("VmHWM:");
  }

  /**
   * Memory after a full GC of each Java server (jcmd GC.run) and 6 s to settle (past one interval of the native-heap
   * trim that bench/run.sh gives Parley's JVM, 5 s): summed VmRSS, and the Java heap in use right after a second full
   * GC (jcmd GC.heap_info), since a pre-touched fixed heap is all resident whatever it holds.
   */
  Memory settledMemory() throws InterruptedException {
    List<Long> java = pids.stream().filter(ProcStats::isJava).toList();
    for (long pid : java) {
      jcmd(pid, "GC.run");
    }
    Thread.sleep(6000);
    long heapKb = 0;
    for (long pid : java) {
      // again: what the server allocated while RSS settled (timers, heartbeats, its threads' allocation buffers)
      // would otherwise count; with one collection c's heap figure moved by 700 B a connection between runs
      jcmd(pid, "GC.run");
      Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
      while (used.find()) {
        heapKb += Long.parseLong(used.group(1));
      }
    }
    return new Memory(rssKb(), heapKb);
  }

  /**
   * Bytes per class on the Java servers' heaps, summed over them (jcmd GC.class_histogram, which collects first:
   * live objects only). Empty when no server is a JVM.
   */
  Map<String, Long> classHistogram() throws InterruptedException {
    Map<String, Long> bytes = new HashMap<>();
    for (long pid : pids.stream().filter(ProcStats::isJava).toList()) {
      // "   1:        123456       7890123  java.lang.String (java.base@17.0.15)"
      Matcher row = HISTOGRAM_ROW.matcher(jcmd(pid, "GC.class_histogram"));
      while (row.find()) {
        bytes.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
      }
    }
    return bytes;
  }

  /**
   * Native memory tracking on each Java server started with {@code -XX:NativeMemoryTracking=summary}: {@code baseline}
   * marks, {@code summary.diff} reports the growth since (the text, for the log; a note when tracking is off).
   */
  String nativeMemory(String command) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    for (long pid : pids.stream().filter(ProcStats::isJava).toList()) {
      out.append(jcmd(pid, "VM.native_memory " + command));
    }
    return out.toString();
  }

  private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

  /** Summed VmRSS, and summed Java heap in use (0 when no server is a JVM). */
  record Memory(long rssKb, long heapUsedKb) {
  }

  private long serverTicks() {
    return pids.stream().mapToLong(pid -> ticks(Long.toString(pid))).sum();
  }

  /** utime + stime (fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name). */
  private static long ticks(String pid) {
    String stat = read(Path.of("/proc", pid, "stat"));
    if (stat.isEmpty()) {
      return 0;
    }
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);  // field 3 is fields[0]
  }

  private long status(String key) {
    long sum = 0;
    for (long pid : pids) {
      for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
        if (line.startsWith(key)) {
          sum += Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
        }
      }
    }
    return sum;
  }

  private static boolean isJava(long pid) {
    return read(Path.of("/proc", Long.toString(pid), "cmdline")).contains("java");
  }

  /** jcmd's output, or "" if it failed. */
  private static String jcmd(long pid, String command) throws InterruptedException {
    try {
      Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
        log.warn("jcmd {} {} did not succeed: {}", pid, command, out);
        jcmd.destroyForcibly();
        return "";
      }
      return out;
    } catch (IOException e) {
      log.warn("cannot run jcmd: {}", e.getMessage());
      return "";
    }
  }

  private static double clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return getconf.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | NumberFormatException e) {
      return 100;  // USER_HZ on every Linux we know
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** The file's text, or "" when the process is gone. */
  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
