package io.parley.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port free on loopback now, for what must be told its port before it starts (Hazelcast members list each other;
 * a node restarted by a test keeps its HTTP port). Everything that can listen on port 0 does.
 *
 * <p>Picked below the kernel's ephemeral range (32768 and up by default): a port from that range, free when probed,
 * can be taken as the local end of an outgoing connection (a Hazelcast member dialling another) before the node it
 * was meant for binds it. Never the same port twice in one JVM.
 */
public final class Ports {

  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final Set<Integer> given = new HashSet<>();

  private Ports() {
  }

  public static synchronized int free() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (given.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        given.add(port);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in " + LOW + ".." + HIGH);
  }
}
