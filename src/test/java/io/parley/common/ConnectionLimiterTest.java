package io.parley.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

/** Counting connections per client address, and which address counts. */
class ConnectionLimiterTest {

  private static final SocketAddress BALANCER = SocketAddress.inetSocketAddress(40000, "10.0.0.2");

  @Test
  void counts_per_address_and_frees_on_release() {
    ConnectionLimiter limiter = new ConnectionLimiter(2, false);
    assertTrue(limiter.tryAcquire("a"));
    assertTrue(limiter.tryAcquire("a"));
    assertFalse(limiter.tryAcquire("a"));
    assertTrue(limiter.tryAcquire("b"), "another address has its own count");
    limiter.release("a");
    assertTrue(limiter.tryAcquire("a"));
    assertTrue(new ConnectionLimiter(0, false).tryAcquire("a"), "0: no limit");
  }

  @Test
  void forwarded_for_counts_only_when_trusted_and_then_its_last_entry() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
    assertEquals("10.0.0.2", new ConnectionLimiter(2, false).clientAddress(BALANCER, headers));
    // The first entry is whatever the client claimed; the balancer appended the address it saw.
    assertEquals("203.0.113.7", new ConnectionLimiter(2, true).clientAddress(BALANCER, headers));
    assertEquals("10.0.0.2", new ConnectionLimiter(2, true).clientAddress(BALANCER, MultiMap.caseInsensitiveMultiMap()));
    MultiMap twoLines = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "6.6.6.6").add("X-Forwarded-For", "198.51.100.9");
    assertEquals("198.51.100.9", new ConnectionLimiter(2, true).clientAddress(BALANCER, twoLines), "a balancer's own header line");
  }
}
