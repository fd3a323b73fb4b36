package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with 403, a browser request to {@code /ws} or {@code /eventbus} made by a page of another site
 * (cross-site WebSocket hijacking): a browser always says which page's origin opens a WebSocket or makes a
 * cross-origin XHR. Origins compare as scheme, host and port, default ports normalised. Allowed: no {@code Origin}
 * header (not a browser: nothing to protect), the node's public origins and the configured {@code ALLOWED_ORIGINS}
 * ({@code *}: any).
 *
 * <p>The public origins are {@code PUBLIC_ORIGINS} when set. Otherwise the request's own origin stands in for them:
 * its scheme (or the balancer's {@code X-Forwarded-Proto} when forwarded headers are trusted) and the {@code Host} the
 * browser addressed. That needs no configuration on localhost, but {@code Host} is whatever name the browser used: a
 * DNS name re-pointed at an internal node (DNS rebinding) passes it, so a deployment names its origins.
 */
final class OriginCheck implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(OriginCheck.class);

  private final boolean anyOrigin;
  private final Set<String> allowed;
  private final boolean ownOriginFromHost;
  private final boolean trustForwardedProto;

  /**
   * @param publicOrigins {@code PUBLIC_ORIGINS}; empty: the request's own origin
   * @param allowedOrigins {@code ALLOWED_ORIGINS}, {@code *} for any
   * @param trustForwardedProto {@code TRUST_FORWARDED_FOR}: the balancer's {@code X-Forwarded-Proto} is the scheme
   */
  OriginCheck(List<String> publicOrigins, List<String> allowedOrigins, boolean trustForwardedProto) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.allowed = Stream.concat(publicOrigins.stream(), allowedOrigins.stream())
        .filter(origin -> !origin.equals("*")).map(OriginCheck::normalize)
        .collect(Collectors.toUnmodifiableSet());
    this.ownOriginFromHost = publicOrigins.isEmpty();
    this.trustForwardedProto = trustForwardedProto;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (allows(origin, scheme(request.scheme(), request.headers()), request.getHeader(HttpHeaders.HOST))) {
      ctx.next();
    } else {
      log.debug("refused {} from {}: origin {} is not allowed", request.path(), request.remoteAddress(), origin);
      ctx.response().setStatusCode(403).end("origin not allowed");
    }
  }

  /** Whether a request with {@code origin} (null: none) that came in over {@code scheme} for {@code host} passes. */
  boolean allows(String origin, String scheme, String host) {
    if (origin == null || anyOrigin) {
      return true;
    }
    String normalized = normalize(origin);
    if (normalized == null) {
      return false; // "null" (sandboxed frames, file:) or garbage
    }
    return allowed.contains(normalized) || (ownOriginFromHost && normalized.equals(ownOrigin(scheme, host)));
  }

  /**
   * The scheme the browser used: the request's, or, when trusted, the last {@code X-Forwarded-Proto} entry, the one
   * the balancer in front of the node set (as {@code ConnectionLimiter} reads {@code X-Forwarded-For}).
   */
  String scheme(String requestScheme, MultiMap headers) {
    List<String> lines = trustForwardedProto ? headers.getAll("X-Forwarded-Proto") : List.of();
    if (!lines.isEmpty()) {
      String last = lines.get(lines.size() - 1);
      String forwarded = last.substring(last.lastIndexOf(',') + 1).trim().toLowerCase(Locale.ROOT);
      if (forwarded.equals("http") || forwarded.equals("https")) {
        return forwarded;
      }
    }
    return requestScheme;
  }

  /** {@code scheme://host} as the browser addressed it, normalised; null if {@code host} is not a plain authority. */
  private static String ownOrigin(String scheme, String host) {
    if (scheme == null || host == null || host.isBlank() || !plainAuthority(host)) {
      return null;
    }
    return normalize(scheme + "://" + host.trim());
  }

  /** No path, query, fragment, user info or white space: checked by hand, as every upgrade asks (no regex). */
  private static boolean plainAuthority(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c == '/' || c == '?' || c == '#' || c == '@' || c == ' ' || (c >= '\t' && c <= '\r')) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code scheme://host[:port]} of an origin, lower case, without the scheme's default port, so that equal origins
   * compare equal as strings. Null if not an http(s) origin.
   */
  static String normalize(String origin) {
    try {
      URI uri = new URI(origin.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return null;
      }
      if (uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        return null; // an origin is no more than scheme, host and port
      }
      int port = uri.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
