package io.parley.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one load-generator run does, from {@code --key value} arguments (see {@link LoadGenerator}).
 *
 * @param rates      target deliveries/s of each step (one for --rate, several for --ramp); empty when idle
 * @param warmupS    seconds of sending at the first step's rate before its window opens
 * @param stepWarmupS seconds of sending at each later step's rate before its window opens: a new rate makes the JIT
 *                   compile again (b's 50k step spent its first 1.7 s of one core in C2), which is not that rate's cost
 * @param serverPids processes whose CPU and memory are measured
 * @param transport  Parley's transport: {@code ws} ({@code /ws}, the default) or {@code bridge} (SockJS, {@code /eventbus})
 */
public record Options(String target, List<String> servers, int connections, int rooms, int senders,
    List<Double> rates, int durationS, int warmupS, int stepWarmupS, boolean idle, List<Long> serverPids, String label,
    String scenario, int textBytes, String transport) {

  private static final Set<String> KEYS = Set.of("target", "servers", "connections", "rooms", "senders", "rate",
      "ramp", "duration", "warmup", "step-warmup", "server-pids", "label", "scenario", "text-bytes",
      "transport");

  public Options {
    if (!Set.of("parley", "ws", "socketio").contains(target)) {
      throw new IllegalArgumentException("--target must be parley, ws or socketio, not " + target);
    }
    if (!Set.of("ws", "bridge").contains(transport) || ("bridge".equals(transport) && !"parley".equals(target))) {
      throw new IllegalArgumentException("--transport must be ws, or bridge with --target parley, not " + transport);
    }
    if (servers.isEmpty() || connections < 1 || rooms < 1 || rooms > connections) {
      throw new IllegalArgumentException("need --servers, --connections >= 1 and 1 <= --rooms <= --connections");
    }
    for (String server : servers) {
      if (!server.matches("[^:\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("--servers wants host:port entries, got '" + server + "'");
      }
    }
    if (!idle && (senders < 1 || senders > connections || rates.isEmpty() || durationS < 1)) {
      throw new IllegalArgumentException("need 1 <= --senders <= --connections, --rate or --ramp, --duration >= 1");
    }
  }

  public static Options parse(String... args) {
    Map<String, String> values = new HashMap<>();
    boolean idle = false;
    for (int i = 0; i < args.length; i++) {
      String key = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (key.equals("idle")) {
        idle = true;
      } else if (KEYS.contains(key) && i + 1 < args.length) {
        values.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException("unknown or incomplete option: " + args[i]);
      }
    }
    String rates = values.getOrDefault("ramp", values.getOrDefault("rate", ""));
    return new Options(values.getOrDefault("target", "parley"), list(values.get("servers")),
        integer(values, "connections", 100), integer(values, "rooms", 1), integer(values, "senders", idle ? 0 : 1),
        idle ? List.of() : list(rates).stream().map(Double::valueOf).toList(),
        integer(values, "duration", 10), integer(values, "warmup", 0),
        integer(values, "step-warmup", 0), idle,
        list(values.get("server-pids")).stream().map(Long::valueOf).toList(),
        values.getOrDefault("label", ""), values.getOrDefault("scenario", ""), integer(values, "text-bytes", 100),
        values.getOrDefault("transport", "ws"));
  }

  private static int integer(Map<String, String> values, String key, int fallback) {
    return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
  }

  private static List<String> list(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return List.of();
    }
    return new ArrayList<>(Arrays.stream(commaSeparated.split(",")).map(String::trim).toList());
  }

  /** Members of room {@code room}: connection i is in room i % rooms. */
  public int members(int room) {
    return connections / rooms + (room < connections % rooms ? 1 : 0);
  }

  /** Senders in room {@code room}: sender j is connection j, so in room j % rooms too. */
  public int sendersIn(int room) {
    return senders / rooms + (room < senders % rooms ? 1 : 0);
  }
}
