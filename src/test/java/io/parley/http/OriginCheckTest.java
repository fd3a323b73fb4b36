package io.parley.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which origins may open /ws and /eventbus: the node's own (PUBLIC_ORIGINS, else the request's scheme and Host), the
 * configured ones, none other; an origin is scheme, host and port.
 */
class OriginCheckTest {

  private final OriginCheck sameOriginOnly = new OriginCheck(List.of(), List.of(), false);
  private final OriginCheck published = new OriginCheck(List.of("https://chat.example.com", "http://localhost:8080"),
      List.of(), false);

  @Test
  void no_origin_is_not_a_browser_and_passes() {
    assertTrue(sameOriginOnly.allows(null, "http", "chat.example.com"));
    assertTrue(published.allows(null, "http", "internal.example"));
  }

  @Test
  void the_nodes_own_origin_passes_with_its_scheme_and_default_port() {
    assertTrue(sameOriginOnly.allows("http://localhost:8080", "http", "localhost:8080"));
    assertTrue(sameOriginOnly.allows("https://Chat.Example.com", "https", "chat.example.com"));
    assertTrue(sameOriginOnly.allows("https://chat.example.com:443", "https", "chat.example.com"));
    assertTrue(sameOriginOnly.allows("http://chat.example.com", "http", "chat.example.com:80"));
  }

  @Test
  void origin_of_another_scheme_than_the_request_does_not_pass() {
    assertFalse(sameOriginOnly.allows("https://localhost:8080", "http", "localhost:8080"), "http page, https origin");
    assertFalse(sameOriginOnly.allows("http://chat.example.com", "https", "chat.example.com"), "https page, http origin");
    assertFalse(sameOriginOnly.allows("https://chat.example.com:80", "http", "chat.example.com:80"));
  }

  @Test
  void origin_scheme_comes_from_x_forwarded_proto_only_when_trusted() {
    MultiMap behindTls = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-Proto", "https");
    assertEquals("https", new OriginCheck(List.of(), List.of(), true).scheme("http", behindTls));
    assertEquals("http", sameOriginOnly.scheme("http", behindTls), "untrusted: a client could claim any scheme");
    MultiMap chained = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-Proto", "https, http");
    assertEquals("http", new OriginCheck(List.of(), List.of(), true).scheme("http", chained), "the nearest proxy's");
    MultiMap junk = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-Proto", "gopher");
    assertEquals("http", new OriginCheck(List.of(), List.of(), true).scheme("http", junk));
  }

  @Test
  void another_site_does_not_pass() {
    assertFalse(sameOriginOnly.allows("http://evil.example", "http", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("http://localhost:9999", "http", "localhost:8080"), "another port is another origin");
    assertFalse(sameOriginOnly.allows("http://chat.example.com.evil.example", "http", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("null", "http", "chat.example.com"), "sandboxed frames and file: pages");
    assertFalse(sameOriginOnly.allows("not a url", "http", "chat.example.com"));
    assertFalse(sameOriginOnly.allows("http://evil.example", "http", null));
    assertFalse(sameOriginOnly.allows("http://chat.example.com/path", "http", "chat.example.com"), "not an origin");
    assertFalse(sameOriginOnly.allows("http://evil.example", "http", "evil.example/"), "not a host");
  }

  @Test
  void origin_public_origins_replace_the_host_header() {
    assertTrue(published.allows("https://chat.example.com", "http", "parley1:8080"), "TLS ended at the balancer");
    assertTrue(published.allows("https://chat.example.com:443", "http", "parley1:8080"));
    assertTrue(published.allows("http://localhost:8080", "http", "localhost:8080"));
    // DNS rebinding: evil.example re-pointed at the node; its page's Origin and Host agree, and are refused.
    assertFalse(published.allows("http://evil.example:8080", "http", "evil.example:8080"));
    assertFalse(published.allows("http://chat.example.com", "http", "chat.example.com"), "the http origin is not listed");
    assertFalse(published.allows("http://localhost:8081", "http", "localhost:8081"));
  }

  @Test
  void configured_origins_pass_with_their_scheme_and_star_lets_any_through() {
    OriginCheck listed = new OriginCheck(List.of(), List.of("https://app.example.com", "http://localhost:3000"), false);
    assertTrue(listed.allows("https://app.example.com", "http", "chat.example.com"));
    assertTrue(listed.allows("https://app.example.com:443", "http", "chat.example.com"));
    assertTrue(listed.allows("http://localhost:3000", "http", "chat.example.com"));
    assertFalse(listed.allows("http://localhost:3001", "http", "chat.example.com"));
    assertFalse(listed.allows("http://app.example.com", "http", "chat.example.com"), "http is not the listed https");
    assertFalse(listed.allows("https://localhost:3000", "http", "chat.example.com"));
    OriginCheck both = new OriginCheck(List.of("https://chat.example.com"), List.of("https://app.example.com"), false);
    assertTrue(both.allows("https://app.example.com", "http", "parley1:8080"));
    assertTrue(both.allows("https://chat.example.com", "http", "parley1:8080"));
    assertTrue(new OriginCheck(List.of(), List.of("*"), false).allows("http://anything.example", "http", "x"));
    assertTrue(new OriginCheck(List.of("https://chat.example.com"), List.of("*"), false)
        .allows("http://anything.example", "http", "x"));
  }
}
