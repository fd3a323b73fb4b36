package io.parley.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The server API's keys ({@code API_KEYS}). A presented key is compared with each of them in constant time, over
 * their SHA-256 digests (equal lengths whatever the key's), and with every one of them, so that neither the time of
 * a refusal nor which key matched tells an attacker anything.
 */
public final class ApiKeys {

  private final List<byte[]> digests;

  public ApiKeys(List<String> keys) {
    this.digests = keys.stream().map(ApiKeys::digest).toList();
  }

  /** Whether there is any key: without one there is no API. */
  public boolean any() {
    return !digests.isEmpty();
  }

  /** Whether {@code presented} (null: none) is one of the keys. */
  public boolean accepts(String presented) {
    if (presented == null || digests.isEmpty()) {
      return false;
    }
    byte[] given = digest(presented);
    boolean found = false;
    for (byte[] key : digests) {
      found |= MessageDigest.isEqual(key, given);
    }
    return found;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
