package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with 403, a browser request to {@code /ws} or {@code /eventbus} made by a page of another site
 * (cross-site WebSocket hijacking): a browser always says which page's origin opens a WebSocket or makes a
 * cross-origin XHR. Allowed: no {@code Origin} header (not a browser: nothing to protect), the node's own origin
 * (the {@code Host} the browser addressed), and the configured {@code ALLOWED_ORIGINS} ({@code *}: any).
 */
final class OriginCheck implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(OriginCheck.class);

  private final boolean anyOrigin;
  private final Set<String> allowed;

  OriginCheck(List<String> allowedOrigins) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.allowed = allowedOrigins.stream().filter(origin -> !origin.equals("*")).map(OriginCheck::authorityOf)
        .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (allows(request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.HOST))) {
      ctx.next();
    } else {
      log.debug("refused {} from {}: origin {} is not allowed", request.path(), request.remoteAddress(),
          request.getHeader(HttpHeaders.ORIGIN));
      ctx.response().setStatusCode(403).end("origin not allowed");
    }
  }

  boolean allows(String origin, String host) {
    if (origin == null || anyOrigin) {
      return true;
    }
    String authority = authorityOf(origin);
    if (authority == null) {
      return false; // "null" (sandboxed frames, file:) or garbage
    }
    return authority.equals(normalizeHost(host)) || allowed.contains(authority);
  }

  /**
   * {@code host[:port]} of an origin, lower case, without the scheme's default port, so that it compares with
   * a {@code Host} header; a TLS-terminating proxy changes the scheme but not the host. Null if not an origin.
   */
  static String authorityOf(String origin) {
    try {
      URI uri = new URI(origin.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return null;
      }
      int port = uri.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static String normalizeHost(String host) {
    if (host == null) {
      return null;
    }
    String lower = host.trim().toLowerCase(Locale.ROOT);
    return lower.endsWith(":80") || lower.endsWith(":443") ? lower.substring(0, lower.lastIndexOf(':')) : lower;
  }
}
