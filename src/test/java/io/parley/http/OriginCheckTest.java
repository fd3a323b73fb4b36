package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which origins may open /ws and /eventbus: the node's own, the configured ones, none other. */
class OriginCheckTest {

  private final OriginCheck sameOriginOnly = new OriginCheck(List.of());

  @Test
  void no_origin_is_not_a_browser_and_passes() {
    assertTrue(sameOriginOnly.allows(null, "chat.example.com"));
  }

  @Test
  void the_nodes_own_origin_passes_whatever_the_scheme_and_default_port() {
    assertTrue(sameOriginOnly.allows("http://localhost:8080", "localhost:8080"));
    assertTrue(sameOriginOnly.allows("https://Chat.Example.com", "chat.example.com"), "TLS ended at a proxy");
    assertTrue(sameOriginOnly.allows("https://chat.example.com:443", "chat.example.com"));
    assertTrue(sameOriginOnly.allows("http://chat.example.com", "chat.example.com:80"));
  }

  @Test
  void another_site_does_not_pass() {
    assertFalse(sameOriginOnly.allows("http://evil.example", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("http://localhost:9999", "localhost:8080"), "another port is another origin");
    assertFalse(sameOriginOnly.allows("http://chat.example.com.evil.example", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("null", "chat.example.com"), "sandboxed frames and file: pages");
    assertFalse(sameOriginOnly.allows("not a url", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("http://evil.example", null));
  }

  @Test
  void configured_origins_pass_and_star_lets_any_through() {
    OriginCheck listed = new OriginCheck(List.of("https://app.example.com", "http://localhost:3000"));
    assertTrue(listed.allows("https://app.example.com", "chat.example.com"));
    assertTrue(listed.allows("http://localhost:3000", "chat.example.com"));
    assertFalse(listed.allows("http://localhost:3001", "chat.example.com"));
    assertTrue(new OriginCheck(List.of("*")).allows("http://anything.example", "chat.example.com"));
  }
}
