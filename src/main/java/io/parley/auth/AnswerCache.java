package io.parley.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The authorization proxy's answers, each kept {@code ttlNanos} from when it came, at most {@code max} of them: the
 * oldest answer goes first (insertion order, not use: an answer used often must still be asked again once it is
 * old). Not thread-safe: confined to the chat service's event loop, as its proxy is.
 */
final class AnswerCache<V> {

  private record Entry<V>(V value, long expires) {
  }

  private final long ttlNanos;
  private final Map<String, Entry<V>> entries;

  AnswerCache(long ttlNanos, int max) {
    this.ttlNanos = ttlNanos;
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
        return size() > max;
      }
    };
  }

  /** The answer kept for {@code key}, or null (none, or too old: then it is dropped). */
  V get(String key, long nowNanos) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (nowNanos - entry.expires() >= 0) {
      entries.remove(key);
      return null;
    }
    return entry.value();
  }

  /** Keeps {@code value} for {@code key} from {@code nowNanos}; nothing with a TTL of 0. */
  void put(String key, V value, long nowNanos) {
    if (ttlNanos <= 0) {
      return;
    }
    entries.remove(key); // a fresh answer goes to the back of the line
    entries.put(key, new Entry<>(value, nowNanos + ttlNanos));
  }

  int size() {
    return entries.size();
  }
}
