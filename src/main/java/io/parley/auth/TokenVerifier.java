package io.parley.auth;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the JWT a client brings to {@code hello} (or to the bridge's first {@code chat.join}) with the configured
 * keys ({@code JWT_KEY}, and those of the key set at {@code JWKS_URL}): signature (a key's algorithm only; never
 * {@code none}), an expiry that is there and not past, not-before, and, when configured, the issuer
 * ({@code JWT_ISSUER}), the audience ({@code JWT_AUDIENCE}) and a lifetime of at most {@code JWT_MAX_LIFETIME_S}.
 * A token that expires during a session does not end it. The nick is the token's {@code JWT_NICK_CLAIM}: a client
 * cannot pick another.
 *
 * <p>With {@code JWKS_URL}, {@link #start()} fetches the key set once (a failure is logged, not fatal: until a
 * fetch succeeds, only {@code JWT_KEY} verifies, or nothing does) and then every {@code JWKS_REFRESH_S}; a token
 * naming a {@code kid} the set lacks fetches it again, at most once per {@link #UNKNOWN_KID_REFETCH_NANOS}. Every
 * fetch is asynchronous (Vert.x's HTTP client); a new set replaces the verifying provider at once (a volatile swap),
 * a failed fetch keeps the last good one. Used on the chat verticle's context: {@link #start()} in its start,
 * {@link #close()} in its stop.
 */
public final class TokenVerifier {

  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);

  /** An unknown {@code kid} fetches the key set again at most this often: unknown kids cannot hammer its URL. */
  private static final long UNKNOWN_KID_REFETCH_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How long a node's start waits for its first fetch of the key set. */
  private static final long START_WAIT_MS = 5000;
  /** A key set larger than this is refused (it is a handful of keys). */
  private static final int JWKS_MAX_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final String nickClaim;
  private final String issuer; // empty: not checked
  private final String audience; // empty: not checked
  private final long maxLifetimeS; // 0: no limit
  private final PubSecKeyOptions staticKey; // JWT_KEY, or null
  private final String jwksUrl; // null: no key set
  private final long refreshMs;

  /** The provider verifying now and the kids of the key set it holds; swapped whole when the key set changes. */
  private volatile Keys keys;
  private HttpClient http;
  private long refreshTimer = -1;
  private Future<Void> fetching; // the fetch in flight, shared by whoever asks meanwhile
  private long lastUnknownKidFetch;
  private boolean unknownKidFetched;
  private boolean closed;

  /** What verifies tokens: {@code jwt} null when no key at all is held (every token is then refused). */
  private record Keys(JWTAuth jwt, Set<String> kids, boolean fetched) {
  }

  private TokenVerifier(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.nickClaim = config.get(Settings.JWT_NICK_CLAIM);
    this.issuer = config.get(Settings.JWT_ISSUER);
    this.audience = config.get(Settings.JWT_AUDIENCE);
    this.maxLifetimeS = config.get(Settings.JWT_MAX_LIFETIME_S);
    String key = config.get(Settings.JWT_KEY);
    // HS* keys are shared secrets; the others are PEM public keys.
    this.staticKey = key.isBlank() ? null
        : new PubSecKeyOptions().setAlgorithm(config.get(Settings.JWT_ALGORITHM)).setBuffer(key);
    String url = config.get(Settings.JWKS_URL);
    this.jwksUrl = url.isBlank() ? null : url;
    this.refreshMs = config.get(Settings.JWKS_REFRESH_S) * 1000L;
    this.keys = build(List.of(), false);
  }

  /**
   * A verifier for the configured keys, or null when none is configured (guests pick their nick). Synchronous: a
   * {@code JWKS_URL} is first fetched by {@link #start()}.
   */
  public static TokenVerifier create(Vertx vertx, ParleyConfig config) {
    if (!config.authenticates()) {
      return null;
    }
    return new TokenVerifier(vertx, config);
  }

  /**
   * With {@code JWKS_URL}: fetches the key set once, then every {@code JWKS_REFRESH_S}. Completes when that first
   * fetch is done, and never fails: a node whose key set cannot be fetched starts, refusing the tokens only that set
   * could verify ({@code invalid_token}) until a later fetch succeeds.
   */
  public Future<Void> start() {
    if (jwksUrl == null) {
      return Future.succeededFuture();
    }
    http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setIdleTimeout(10)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
    refreshTimer = vertx.setPeriodic(refreshMs, refreshMs, id -> fetch());
    // The start waits for the first fetch, or START_WAIT_MS: an unreachable key set must not hold the node back.
    Promise<Void> first = Promise.promise();
    long wait = vertx.setTimer(START_WAIT_MS, id -> first.tryComplete());
    fetch().onComplete(done -> {
      vertx.cancelTimer(wait);
      first.tryComplete();
    });
    return first.future();
  }

  /** Stops refreshing the key set. */
  public Future<Void> close() {
    closed = true;
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    return http == null ? Future.succeededFuture() : http.close();
  }

  /** The nick the token vouches for; fails with {@code invalid_token} (or {@code invalid_nick}) otherwise. */
  public Future<String> nickOf(String token) {
    JsonObject header;
    try {
      header = signedHeader(token);
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    Keys now = keys;
    boolean unknownKid = header.getValue("kid") instanceof String kid && !now.kids().contains(kid);
    if (jwksUrl != null && (unknownKid || !now.fetched())) {
      // A key rotated in since the last fetch (or none fetched yet): fetch again, within the rate limit.
      return refetchForUnknownKid().transform(fetched -> verify(token));
    }
    return verify(token);
  }

  private Future<String> verify(String token) {
    Keys now = keys;
    if (now.jwt() == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.INVALID_TOKEN, jwksUrl == null
          ? "the token is not valid: no key verifies it"
          : "the token is not valid: this server has not been able to fetch its signing keys yet"));
    }
    return now.jwt().authenticate(new TokenCredentials(token))
        .recover(failure -> Future.failedFuture(new ProtocolException(ErrorCode.INVALID_TOKEN,
            "the token is not valid: " + failure.getMessage())))
        .map(this::nickOf);
  }

  private String nickOf(User user) {
    // Vert.x keeps exp, iat and nbf among the user's attributes; the other claims are its principal.
    Object exp = claim(user, "exp");
    if (!(exp instanceof Number expiry)) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token has no expiry ('exp')");
    }
    if (maxLifetimeS > 0) {
      long nowS = System.currentTimeMillis() / 1000;
      // From its iat, and from now: an iat in the future must not stretch a token's life past the limit.
      Object iat = claim(user, "iat");
      long from = iat instanceof Number issued ? Math.min(issued.longValue(), nowS) : nowS;
      if (expiry.longValue() - from > maxLifetimeS) {
        throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token lives too long: its expiry ('exp') is "
            + (expiry.longValue() - from) + " s after " + (iat instanceof Number ? "its issue ('iat')" : "now")
            + ", more than the " + maxLifetimeS + " s this server accepts");
      }
    }
    if (!issuer.isEmpty() && !issuer.equals(user.principal().getValue("iss"))) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, user.principal().getValue("iss") == null
          ? "the token has no issuer ('iss'); this server accepts tokens from '" + issuer + "' only"
          : "the token's issuer ('iss') is not '" + issuer + "', the only one this server accepts");
    }
    if (!audience.isEmpty() && !hasAudience(user.principal().getValue("aud"))) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, user.principal().getValue("aud") == null
          ? "the token has no audience ('aud'); this server accepts tokens for '" + audience + "' only"
          : "the token's audience ('aud') does not include '" + audience + "', this server");
    }
    Object nick = user.principal().getValue(nickClaim);
    if (!(nick instanceof String text)) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token has no '" + nickClaim + "' claim");
    }
    return Names.requireNick(text);
  }

  private static Object claim(User user, String name) {
    Object value = user.attributes().getValue(name);
    return value != null ? value : user.principal().getValue(name);
  }

  private boolean hasAudience(Object aud) {
    if (aud instanceof String single) {
      return audience.equals(single);
    }
    return aud instanceof JsonArray many && many.stream().anyMatch(audience::equals);
  }

  /**
   * The token's header, once it is sure the token is signed: three parts, a signature, an {@code alg} other than
   * {@code none}. Checked here too because a Vert.x provider without keys would accept an unsigned token.
   */
  private static JsonObject signedHeader(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token is not valid: it is not a signed JWT");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token is not valid: its header is not JSON");
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String name) || name.isEmpty() || "none".equalsIgnoreCase(name)) {
      throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token is not valid: it names no signing algorithm");
    }
    return header;
  }

  /** A fetch because of an unknown kid (or while no key is held): at most one per 10 s, else the keys as they are. */
  private Future<Void> refetchForUnknownKid() {
    if (fetching != null) {
      return fetching;
    }
    long now = System.nanoTime();
    if (unknownKidFetched && now - lastUnknownKidFetch < UNKNOWN_KID_REFETCH_NANOS) {
      return Future.succeededFuture();
    }
    unknownKidFetched = true;
    lastUnknownKidFetch = now;
    return fetch().recover(failure -> Future.succeededFuture());
  }

  /** Fetches the key set and, if it holds usable keys, verifies with them from now on. */
  private Future<Void> fetch() {
    if (closed) {
      return Future.succeededFuture();
    }
    if (fetching != null) {
      return fetching;
    }
    Future<Void> fetch = http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(jwksUrl)
            .putHeader(HttpHeaders.ACCEPT, "application/json"))
        .compose(request -> request.send())
        .compose(response -> {
          String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
          if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > JWKS_MAX_BYTES) {
            response.request().reset();
            return Future.failedFuture("the key set is larger than " + JWKS_MAX_BYTES + " bytes");
          }
          return response.body().compose(body -> response.statusCode() == 200 ? Future.succeededFuture(body)
              : Future.failedFuture("HTTP " + response.statusCode()));
        })
        .compose(body -> {
          try {
            install(usableKeys(body));
            return Future.<Void>succeededFuture();
          } catch (RuntimeException e) {
            return Future.<Void>failedFuture(e);
          }
        })
        .onFailure(failure -> log.warn("could not fetch the JWKS at {} ({}); keeping the keys held ({})", jwksUrl,
            failure.getMessage(), keys.kids().isEmpty() ? "none" : "kids " + keys.kids()));
    fetching = fetch;
    return fetch.onComplete(done -> fetching = null);
  }

  /** The signing keys of a key set (symmetric ones are left out: a published set must not hold secrets). */
  private List<JsonObject> usableKeys(Buffer body) {
    if (body.length() > JWKS_MAX_BYTES) {
      throw new IllegalArgumentException("the key set is larger than " + JWKS_MAX_BYTES + " bytes");
    }
    JsonArray published = body.toJsonObject().getJsonArray("keys");
    if (published == null) {
      throw new IllegalArgumentException("the key set has no 'keys' array");
    }
    List<JsonObject> usable = new ArrayList<>();
    for (Object entry : published) {
      if (!(entry instanceof JsonObject jwk)) {
        continue;
      }
      String kty = jwk.getString("kty", "");
      String use = jwk.getString("use");
      if (!List.of("RSA", "EC", "OKP").contains(kty) || (use != null && !use.equals("sig"))) {
        log.info("JWKS at {}: leaving out key '{}' (kty {}, use {}): only public signing keys verify tokens", jwksUrl,
            jwk.getValue("kid"), kty, use);
        continue;
      }
      usable.add(jwk);
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException("the key set holds no public signing key");
    }
    return usable;
  }

  private void install(List<JsonObject> jwks) {
    Keys fresh = build(jwks, true);
    Set<String> before = keys.kids();
    keys = fresh;
    if (!fresh.kids().equals(before)) {
      log.info("JWKS at {}: now verifying with kids {} (before: {})", jwksUrl, fresh.kids(), before);
    }
  }

  private Keys build(List<JsonObject> jwks, boolean fetched) {
    if (staticKey == null && jwks.isEmpty()) {
      return new Keys(null, Set.of(), fetched);
    }
    JWTAuthOptions options = new JWTAuthOptions();
    if (staticKey != null) {
      options.addPubSecKey(staticKey);
    }
    jwks.forEach(options::addJwk);
    Set<String> kids = jwks.stream().map(jwk -> jwk.getValue("kid")).filter(String.class::isInstance)
        .map(String.class::cast).collect(java.util.stream.Collectors.toUnmodifiableSet());
    return new Keys(JWTAuth.create(vertx, options), kids, fetched);
  }
}
