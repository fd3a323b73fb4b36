package io.parley.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The environment of each node of a cluster on loopback, as the README's "Run a cluster" and docker-compose give
 * it: Hazelcast on free ports, every node listing every member, all on one fresh PostgreSQL database of the tests'
 * server (unless {@code extra} names a {@code STORAGE}), a short failure timeout so tests stay fast.
 */
public final class ClusterEnvironment {

  private ClusterEnvironment() {
  }

  /**
   * One environment per node. {@code fixedHttpPorts}: each node gets a free HTTP port of its own (a node restarted
   * keeps it); otherwise port 0. {@code extra} is added to every node's.
   */
  public static List<Map<String, String>> of(int size, int failureTimeoutS, boolean fixedHttpPorts,
      Map<String, String> extra) {
    String database = extra.containsKey("STORAGE") ? "" : Postgres.server().freshDatabase();
    List<Integer> hazelcastPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      hazelcastPorts.add(Ports.free());
    }
    String members = hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<Map<String, String>> environments = new ArrayList<>();
    for (int port : hazelcastPorts) {
      Map<String, String> env = new HashMap<>();
      env.put("HTTP_PORT", fixedHttpPorts ? Integer.toString(Ports.free()) : "0");
      env.put("HTTP_HOST", "127.0.0.1");
      env.put("CLUSTER_ENABLED", "true");
      env.put("CLUSTER_HOST", "127.0.0.1");
      env.put("HAZELCAST_PORT", Integer.toString(port));
      env.put("CLUSTER_MEMBERS", members);
      env.put("CLUSTER_FAILURE_TIMEOUT_S", Integer.toString(failureTimeoutS));
      env.put("EVENT_LOOPS", "2");
      env.put("DATABASE_URL", database);
      env.putAll(extra);
      environments.add(env);
    }
    return environments;
  }
}
