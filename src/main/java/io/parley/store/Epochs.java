package io.parley.store;

import java.security.SecureRandom;

/** How a room's epoch is made, the same for every {@link MessageLog}. */
public final class Epochs {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Epochs() {
  }

  /** A new epoch: its start time and a random part, in base 36, so that two starts never share one. */
  public static String next() {
    return Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }
}
