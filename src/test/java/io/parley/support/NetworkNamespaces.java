package io.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test hosts on one machine: {@code n} network namespaces, each with a veth pair whose other end is a port of a
 * Linux bridge in the root namespace, on a private /24 ({@code .1}..{@code .n} for the hosts, {@code .254} for the
 * bridge, which is also how the root namespace, the test JVM and its PostgreSQL, reach them). Needs root and
 * iproute2 ({@code ip}, {@code tc}).
 *
 * <p>Faults are packet drops in the "switch", silent to both ends: this kernel has no {@code act_gact} (no
 * {@code action drop}) and no {@code prio} qdisc, so every veth end gets an egress HTB qdisc whose traffic goes
 * straight through (its default class does not exist: HTB's direct queue), plus one class whose queue is a
 * zero-length pfifo: a u32 filter sending packets to that class drops them. A packet towards host {@code i} is
 * dropped on the egress of its bridge port (root namespace), a packet from host {@code i} on the egress of its
 * {@code eth0} (its namespace). Filters are added with a priority per fault and removed by that priority.
 *
 * <p>Names carry the test JVM's pid ({@code parley-p<pid>-<i>}, bridge {@code pbr<pid>}, bridge ports
 * {@code pv<pid>-<i>}), so that {@link #cleanLeftovers()} can remove those of runs whose JVM is gone.
 */
public final class NetworkNamespaces implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NetworkNamespaces.class);
  private static final Pattern NAMESPACE = Pattern.compile("^parley-p(\\d+)-\\d+");
  private static final Pattern LINK = Pattern.compile("^\\d+: (p(?:br|v|n)(\\d+)(?:-\\d+)?)[@:]");
  private static final String DROP_CLASS = "1:66";

  private final long pid = ProcessHandle.current().pid();
  private final String subnet; // "10.213.x"
  private final int hosts;
  private final List<String> created = new ArrayList<>();

  private NetworkNamespaces(String subnet, int hosts) {
    this.subnet = subnet;
    this.hosts = hosts;
  }

  /** Fails (not skips) when the tests cannot build namespaces here: they need root and iproute2. */
  public static void requireRoot(String who) {
    String uid = "?";
    try {
      uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
          .map(l -> l.split("\\s+")[1]).findFirst().orElse("?");
    } catch (IOException ignored) {
      // not Linux: reported below
    }
    if (!"0".equals(uid)) {
      throw new AssertionError(who + " needs root (uid 0; this JVM runs as uid " + uid + "): it builds network "
          + "namespaces, veth pairs, a bridge and tc filters. Run it as root, as CI does (.ci/test).");
    }
    for (String tool : List.of("ip", "tc")) {
      if (run(List.of("sh", "-c", "command -v " + tool), false).exit != 0) {
        throw new AssertionError(who + " needs iproute2 ('" + tool + "' is missing): apt-get install iproute2");
      }
    }
  }

  /** Builds {@code hosts} namespaces on a free /24 of 10.213.0.0/16, after removing leftovers of crashed runs. */
  public static NetworkNamespaces create(int hosts) {
    cleanLeftovers();
    String routes = run(List.of("ip", "-4", "route", "show", "table", "all"), true).output
        + run(List.of("ip", "-4", "addr", "show"), true).output;
    long pid = ProcessHandle.current().pid();
    for (int attempt = 0; attempt < 256; attempt++) {
      String subnet = "10.213." + ((pid + attempt) % 250 + 1);
      if (!routes.contains(subnet + ".")) {
        NetworkNamespaces net = new NetworkNamespaces(subnet, hosts);
        try {
          net.build();
        } catch (RuntimeException | AssertionError e) {
          net.close();
          throw e;
        }
        return net;
      }
    }
    throw new AssertionError("no free /24 in 10.213.0.0/16");
  }

  private void build() {
    String bridge = bridge();
    ip("link", "add", bridge, "type", "bridge");
    created.add("link:" + bridge);
    ip("addr", "add", bridgeAddress() + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    for (int i = 1; i <= hosts; i++) {
      String ns = namespace(i);
      ip("netns", "add", ns);
      created.add("netns:" + ns);
      String port = port(i);
      String peer = "pn" + pid + "-" + i;
      ip("link", "add", port, "type", "veth", "peer", "name", peer);
      created.add("link:" + port);
      ip("link", "set", peer, "netns", ns);
      inNs(ns, "ip", "link", "set", peer, "name", "eth0");
      inNs(ns, "ip", "addr", "add", address(i) + "/24", "dev", "eth0");
      inNs(ns, "ip", "link", "set", "lo", "up");
      inNs(ns, "ip", "link", "set", "eth0", "up");
      ip("link", "set", port, "master", bridge);
      ip("link", "set", port, "up");
      dropQdisc(List.of(), port);
      dropQdisc(List.of("ip", "netns", "exec", ns), "eth0");
    }
    log.info("network: bridge {} at {}, hosts {}", bridge, bridgeAddress(),
        java.util.stream.IntStream.rangeClosed(1, hosts).mapToObj(i -> namespace(i) + "=" + address(i)).toList());
  }

  /** HTB with no default class (everything passes straight) and one class that drops all it is given. */
  private static void dropQdisc(List<String> prefix, String dev) {
    exec(prefix, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "1");
    exec(prefix, "tc", "class", "add", "dev", dev, "parent", "1:", "classid", DROP_CLASS, "htb", "rate", "1mbit");
    exec(prefix, "tc", "qdisc", "add", "dev", dev, "parent", DROP_CLASS, "handle", "66:", "pfifo", "limit", "0");
  }

  public String namespace(int host) {
    return "parley-p" + pid + "-" + host;
  }

  public String address(int host) {
    return subnet + "." + host;
  }

  public String bridgeAddress() {
    return subnet + ".254";
  }

  public String cidr() {
    return subnet + ".0/24";
  }

  /** The command prefix that runs a program on {@code host}. */
  public List<String> prefix(int host) {
    return List.of("ip", "netns", "exec", namespace(host));
  }

  /**
   * Drops every packet between {@code host} and each of {@code others}, both ways, under fault {@code fault}
   * (1..99): on the way in at {@code host}'s bridge port, on the way out at its {@code eth0}.
   */
  public void cut(int fault, int host, int... others) {
    for (int other : others) {
      filter(List.of(), port(host), fault, "src", address(other) + "/32", null);
      filter(prefix(host), "eth0", fault, "dst", address(other) + "/32", null);
    }
  }

  /** Drops every packet between {@code host} and TCP port {@code port} of the bridge's address, both ways. */
  public void cutFromBridgePort(int fault, int host, int port) {
    filter(List.of(), port(host), fault, "src", bridgeAddress() + "/32", "sport " + port);
    filter(prefix(host), "eth0", fault, "dst", bridgeAddress() + "/32", "dport " + port);
  }

  /** Removes fault {@code fault}'s filters from {@code host}'s links. */
  public void heal(int fault, int host) {
    exec(List.of(), "tc", "filter", "del", "dev", port(host), "parent", "1:", "prio", Integer.toString(fault));
    exec(prefix(host), "tc", "filter", "del", "dev", "eth0", "parent", "1:", "prio", Integer.toString(fault));
  }

  /** Packets dropped so far on {@code host}'s links (both ways), from the drop queues' counters. */
  public long dropped(int host) {
    return droppedOn(List.of(), port(host)) + droppedOn(prefix(host), "eth0");
  }

  private static long droppedOn(List<String> prefix, String dev) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("tc", "-s", "qdisc", "show", "dev", dev));
    Matcher m = Pattern.compile("qdisc pfifo 66:.*?dropped (\\d+)", Pattern.DOTALL).matcher(run(command, true).output);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static void filter(List<String> prefix, String dev, int fault, String direction, String address,
      String port) {
    List<String> args = new ArrayList<>(List.of("tc", "filter", "add", "dev", dev, "parent", "1:", "protocol", "ip",
        "prio", Integer.toString(fault), "u32", "match", "ip", direction, address));
    if (port != null) {
      String[] p = port.split(" ");
      args.addAll(List.of("match", "ip", p[0], p[1], "0xffff"));
    }
    args.addAll(List.of("flowid", DROP_CLASS));
    exec(prefix, args.toArray(String[]::new));
  }

  private String bridge() {
    return "pbr" + pid;
  }

  private String port(int host) {
    return "pv" + pid + "-" + host;
  }

  /** Removes what this object made; every step is tried, whatever failed before. */
  @Override
  public void close() {
    for (int i = created.size() - 1; i >= 0; i--) {
      String[] what = created.get(i).split(":", 2);
      run("netns".equals(what[0]) ? List.of("ip", "netns", "del", what[1]) : List.of("ip", "link", "del", what[1]),
          false);
    }
    created.clear();
  }

  /** Removes namespaces and links named by this class for a JVM that is not running any more. */
  public static void cleanLeftovers() {
    for (String line : run(List.of("ip", "netns", "list"), false).output.split("\n")) {
      Matcher m = NAMESPACE.matcher(line.trim());
      if (m.find() && !alive(Long.parseLong(m.group(1)))) {
        String ns = line.trim().split("\\s+")[0];
        log.info("removing the namespace {} of an earlier run", ns);
        run(List.of("ip", "netns", "del", ns), false);
      }
    }
    for (String line : run(List.of("ip", "-o", "link", "show"), false).output.split("\n")) {
      Matcher m = LINK.matcher(line.trim());
      if (m.find() && !alive(Long.parseLong(m.group(2)))) {
        log.info("removing the link {} of an earlier run", m.group(1));
        run(List.of("ip", "link", "del", m.group(1)), false);
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(command, true);
  }

  private static void inNs(String ns, String... args) {
    exec(List.of("ip", "netns", "exec", ns), args);
  }

  private static void exec(List<String> prefix, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(args));
    run(command, true);
  }

  private record Result(int exit, String output) {
  }

  private static Result run(List<String> command, boolean check) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      if (check && process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
