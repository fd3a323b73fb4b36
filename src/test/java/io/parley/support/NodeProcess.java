package io.parley.support;

import io.parley.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Main} in its own JVM, as an operator runs it: configured by environment variables and system
 * properties, its output read line by line. {@link #kill()} is a real SIGKILL, {@link #terminate()} a SIGTERM.
 */
public final class NodeProcess implements AutoCloseable {

  public static final Pattern UP = Pattern.compile("Parley is up: http://[^:]+:(\\d+)/");

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private NodeProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "node-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  public static NodeProcess start(Path workDir, Map<String, String> env, String... systemProperties) {
    return startWith(List.of(), workDir, env, systemProperties);
  }

  /**
   * Likewise, inside the network namespace {@code netns} ({@code ip netns exec <netns> java ...}, as root): a node
   * on a test host of its own ({@link NetworkNamespaces}). {@code ip} execs the JVM, so the process is the JVM.
   */
  public static NodeProcess startIn(String netns, Path workDir, Map<String, String> env, String... systemProperties) {
    return startWith(List.of("ip", "netns", "exec", netns), workDir, env, systemProperties);
  }

  private static NodeProcess startWith(List<String> prefix, Path workDir, Map<String, String> env,
      String... systemProperties) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
    command.addAll(List.of(systemProperties));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    // Only what the test sets: the developer's own PARLEY or cluster variables must not leak in.
    builder.environment().keySet().removeIf(key -> key.startsWith("HTTP_") || key.startsWith("CLUSTER_")
        || key.startsWith("HAZELCAST_") || key.startsWith("PARLEY_CONFIG") || key.startsWith("DATABASE_")
        || key.equals("DATA_DIR") || key.equals("STORAGE"));
    builder.environment().put("GUEST_SESSION_TTL_S", "0"); // as ParleyServerTest.testConfig: free at once
    builder.environment().putAll(env);
    try {
      return new NodeProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      in.lines().forEach(line -> {
        transcript.add(line);
        lines.add(line);
      });
    } catch (IOException | UncheckedIOException ignored) {
      // the process ended, or close() closed our end of its output
    }
  }

  /** Every line the process has written so far, in order (whatever {@link #awaitLine} took). */
  public List<String> output() {
    synchronized (transcript) {
      return new ArrayList<>(transcript);
    }
  }

  public Process process() {
    return process;
  }

  /** Waits for a line matching {@code pattern}; fails when the output ends first or after {@code seconds}. */
  public Matcher awaitLine(Pattern pattern, long seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>(); // for the failure message
    try {
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          recent.addLast(line);
          if (recent.size() > 15) {
            recent.removeFirst();
          }
          Matcher matcher = pattern.matcher(line);
          if (matcher.find()) {
            return matcher;
          }
        } else if (!reader.isAlive() && lines.isEmpty()) {
          throw new AssertionError("output ended (exit " + exitValueOrRunning() + ") before a line matching " + pattern
              + "; its last lines:\n" + String.join("\n", recent));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no line matching " + pattern + " within " + seconds + " s; its last lines:\n"
        + String.join("\n", recent));
  }

  public Matcher awaitLine(Pattern pattern) {
    return awaitLine(pattern, 60);
  }

  /** Waits for the node to be up and returns its HTTP port. */
  public int awaitUp() {
    return awaitUp(60);
  }

  /** Likewise, for at most {@code seconds} (a whole cluster starting at once on a busy machine takes longer). */
  public int awaitUp(long seconds) {
    return Integer.parseInt(awaitLine(UP, seconds).group(1));
  }

  private String exitValueOrRunning() {
    return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
  }

  /** SIGTERM. (Process.destroy() would also close our end of its output, hiding its last lines.) */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  public boolean awaitExit(long seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      terminate();
      if (!awaitExit(20)) {
        kill();
        awaitExit(10);
      }
    }
  }
}
