package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers that keep a browser from doing more with Parley's responses than the page needs: scripts, styles and
 * images from the node only (no inline script: a message that slipped into the DOM as markup could not run), no
 * framing by another site (clickjacking: {@code frame-ancestors}, and {@code X-Frame-Options} for browsers without
 * CSP 2), no content-type guessing, no {@code Referer} to other sites. The page itself needs exactly this: its own
 * scripts and style sheet from {@code webroot/}, and its WebSocket and XHR connections to the node, or to another
 * node (SockJS's {@code ws:}/{@code wss:} URL).
 */
final class SecurityHeaders implements Handler<RoutingContext> {

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; "
      + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  @Override
  public void handle(RoutingContext ctx) {
    if ("websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
      ctx.next(); // a 101 carries no document
      return;
    }
    MultiMap headers = ctx.response().headers();
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    ctx.next();
  }
}
