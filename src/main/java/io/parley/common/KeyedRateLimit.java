package io.parley.common;

import java.util.HashMap;
import java.util.Map;

/**
 * A rate limit per key (a client's address, say): a {@link TokenBucket} each, kept only while it is not full, so that
 * the map holds the keys active lately, not every key ever seen. Not thread-safe: use it from one context.
 */
public final class KeyedRateLimit {

  private static final int SWEEP_EVERY = 1024;

  private final double perSecond;
  private final double burst;
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private int takes;

  public KeyedRateLimit(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes a token for {@code key}; false when its bucket is empty. */
  public boolean tryTake(String key) {
    long now = System.nanoTime();
    if (++takes % SWEEP_EVERY == 0) {
      buckets.values().removeIf(bucket -> bucket.full(now));
    }
    return buckets.computeIfAbsent(key, k -> new TokenBucket(perSecond, burst, now)).tryTake(now);
  }

  /** Gives back a token taken for {@code key} for work that was not done after all. */
  public void refund(String key) {
    TokenBucket bucket = buckets.get(key);
    if (bucket != null) {
      bucket.refund();
    }
  }

  /** How many keys are held now (tests; a bound on memory). */
  public int size() {
    return buckets.size();
  }
}
