package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The authorization proxy's answer cache, without a server: its TTL, its bound, and a TTL of 0. */
class AnswerCacheTest {

  @Test
  void an_answer_is_kept_for_its_ttl_then_dropped() {
    AnswerCache<String> cache = new AnswerCache<>(1000, 10);
    cache.put("k", "allowed", 0);
    assertEquals("allowed", cache.get("k", 999));
    assertNull(cache.get("k", 1000));
    assertEquals(0, cache.size(), "an expired answer is dropped when found");
  }

  @Test
  void past_its_bound_the_oldest_answer_goes_even_if_used_since() {
    AnswerCache<String> cache = new AnswerCache<>(1000, 2);
    cache.put("a", "1", 0);
    cache.put("b", "2", 1);
    cache.get("a", 2); // use does not make an answer younger
    cache.put("c", "3", 3);
    assertNull(cache.get("a", 4));
    assertEquals("2", cache.get("b", 4));
    assertEquals("3", cache.get("c", 4));
  }

  @Test
  void a_fresh_answer_replaces_the_old_one_and_is_the_youngest() {
    AnswerCache<String> cache = new AnswerCache<>(1000, 2);
    cache.put("a", "old", 0);
    cache.put("b", "2", 1);
    cache.put("a", "new", 2);
    cache.put("c", "3", 3);
    assertEquals("new", cache.get("a", 4));
    assertNull(cache.get("b", 4));
  }

  @Test
  void a_ttl_of_zero_keeps_nothing() {
    AnswerCache<String> cache = new AnswerCache<>(0, 10);
    cache.put("k", "allowed", 0);
    assertNull(cache.get("k", 0));
  }
}
