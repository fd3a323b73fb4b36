package io.parley.common;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code perSecond}; each frame takes one. Confined to its
 * connection's event loop; no allocation per take.
 */
public final class TokenBucket {

  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(double perSecond, double burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Whether the bucket is full at {@code nowNanos} (it has been unused long enough to be forgotten). */
  public boolean full(long nowNanos) {
    return tokens + (nowNanos - last) * perNano >= burst;
  }

  /** Gives back one token (up to the burst). */
  public void refund() {
    tokens = Math.min(burst, tokens + 1);
  }

  /** Takes a token if there is one. */
  public boolean tryTake(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
