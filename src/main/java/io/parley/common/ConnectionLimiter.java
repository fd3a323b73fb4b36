package io.parley.common;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a node's connections ({@code /ws} and bridge sockets) per client address, shared by its HTTP verticles,
 * and refuses one over {@code MAX_CONNECTIONS_PER_IP}. Behind a balancer every client has the balancer's address,
 * unless {@code TRUST_FORWARDED_FOR} takes it from the header the balancer sets.
 */
public final class ConnectionLimiter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final int maxPerAddress;
  private final boolean trustForwardedFor;
  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
  /** Refusals are the clients' doing: a few lines a minute say enough. */
  private final LogThrottle refusals = LogThrottle.perMinute(10);

  public ConnectionLimiter(int maxPerAddress, boolean trustForwardedFor) {
    this.maxPerAddress = maxPerAddress;
    this.trustForwardedFor = trustForwardedFor;
  }

  /**
   * The client's address: the peer, or, when trusted, the last {@code X-Forwarded-For} entry: the one the balancer
   * in front of the node added (nginx appends the address it saw to whatever the client sent, so earlier entries
   * are the client's own claim).
   */
  public String clientAddress(SocketAddress peer, MultiMap headers) {
    // The last entry of the last header: some balancers add a header line of their own rather than append.
    java.util.List<String> lines = trustForwardedFor && headers != null ? headers.getAll("X-Forwarded-For") : java.util.List.of();
    String forwarded = lines.isEmpty() ? null : lines.get(lines.size() - 1);
    if (forwarded != null && !forwarded.isBlank()) {
      return forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
    }
    return peer == null ? "unknown" : peer.hostAddress();
  }

  /** Counts a new connection from {@code address}; false (and nothing counted) when it holds the most already. */
  public boolean tryAcquire(String address) {
    if (maxPerAddress == 0) {
      return true;
    }
    boolean[] counted = {false};
    counts.compute(address, (a, count) -> {
      int held = count == null ? 0 : count;
      if (held >= maxPerAddress) {
        return count;
      }
      counted[0] = true;
      return held + 1;
    });
    if (!counted[0]) {
      long left = refusals.admit();
      if (left >= 0) {
        log.warn("refused a connection from {}: it holds MAX_CONNECTIONS_PER_IP={} already{}{}", address,
            maxPerAddress, trustForwardedFor ? "" : " (behind a balancer, set TRUST_FORWARDED_FOR=true)",
            LogThrottle.note(left));
      }
      return false;
    }
    return true;
  }

  public void release(String address) {
    if (maxPerAddress == 0) {
      return;
    }
    counts.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }
}
