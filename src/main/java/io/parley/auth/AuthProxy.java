package io.parley.auth;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.Names;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization proxy ({@code AUTH_PROXY_URL}, docs/PROTOCOL.md "Authorization proxy"): asks the application's
 * backend, with a JSON POST, whether a connection may connect and as whom ({@code connect}), and whether a user may
 * join a room and with which role ({@code join}). Its answers are kept {@code AUTH_PROXY_CACHE_S}; a failure (down,
 * slow, not a 200 with a JSON body that says {@code allow}) is never kept, and {@code AUTH_PROXY_FAIL} decides
 * what it means. An outage is logged when it starts and when it ends, not per request. Confined to the chat
 * service's event loop.
 */
public final class AuthProxy {

  private static final Logger log = LoggerFactory.getLogger(AuthProxy.class);
  /** Larger answers are not read: an answer is a few fields. */
  private static final int ANSWER_MAX_BYTES = 64 * 1024;
  private static final Set<String> ROLES = Set.of("member", "moderator", "owner");

  /** What the backend decided; {@code UNANSWERED}: it did not answer and {@code AUTH_PROXY_FAIL=allow}. */
  public enum Decision {
    ALLOWED, DENIED, UNANSWERED
  }

  /**
   * A verdict: for {@code connect} the {@code nick} to use, for {@code join} the {@code role} to hold (null: as it
   * is), for a denial its {@code reason}.
   */
  public record Verdict(Decision decision, String nick, String role, String reason) {

    static Verdict allowed(String nick, String role) {
      return new Verdict(Decision.ALLOWED, nick, role, null);
    }

    static Verdict denied(String reason) {
      return new Verdict(Decision.DENIED, null, null, reason);
    }
  }

  private static final Verdict UNANSWERED = new Verdict(Decision.UNANSWERED, null, null, null);
  private static final Verdict FAILED_DENY = Verdict.denied("the authorization service did not answer; try again");

  private final Vertx vertx;
  private final HttpClient http;
  private final String url;
  private final String secret;
  private final long timeoutMs;
  private final boolean failOpen;
  private final AnswerCache<Verdict> cache;
  /** Whether the backend failed its last request: the outage is logged once, and its end. */
  private boolean down;
  private long failedMeanwhile;

  private AuthProxy(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.url = config.get(Settings.AUTH_PROXY_URL);
    this.secret = config.get(Settings.AUTH_PROXY_SECRET);
    this.timeoutMs = config.get(Settings.AUTH_PROXY_TIMEOUT_MS);
    this.failOpen = "allow".equals(config.get(Settings.AUTH_PROXY_FAIL));
    this.cache = new AnswerCache<>(TimeUnit.SECONDS.toNanos(config.get(Settings.AUTH_PROXY_CACHE_S)),
        config.get(Settings.AUTH_PROXY_CACHE_MAX));
    // Every hello and join of the node waits on this backend: more than the default 5 connections to it.
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMs)
        .setIdleTimeout(30).setIdleTimeoutUnit(TimeUnit.SECONDS), new PoolOptions().setHttp1MaxSize(32));
  }

  /** The proxy of {@code config}, or null when {@code AUTH_PROXY_URL} is empty. */
  public static AuthProxy create(Vertx vertx, ParleyConfig config) {
    return config.get(Settings.AUTH_PROXY_URL).isBlank() ? null : new AuthProxy(vertx, config);
  }

  /**
   * May a connection over {@code transport} ({@code ws}, {@code sockjs}, {@code tcp}) from {@code address} connect,
   * asking for {@code nick} (null: none) with {@code token} (null: none)? Allowed, with the nick to use.
   */
  public Future<Verdict> connect(String nick, String token, String transport, String address) {
    JsonObject request = new JsonObject().put("op", "connect").put("nick", nick);
    if (token != null) {
      request.put("token", token);
    }
    request.put("transport", transport).put("address", address);
    return ask(key("connect", nick, token), request, answer -> {
      String given = answer.getValue("nick") instanceof String named ? named : nick;
      if (!Names.isNick(given)) {
        throw new IllegalArgumentException("an allowed connect without a valid nick");
      }
      return Verdict.allowed(given, null);
    });
  }

  /** May {@code nick} join {@code room}? Allowed, with the role it is to hold there (null: as it is). */
  public Future<Verdict> join(String nick, String room) {
    JsonObject request = new JsonObject().put("op", "join").put("nick", nick).put("room", room);
    return ask(key("join", nick, room), request, answer -> {
      Object role = answer.getValue("role");
      if (role != null && !ROLES.contains(role)) {
        throw new IllegalArgumentException("an allowed join with the role " + role);
      }
      return Verdict.allowed(null, (String) role);
    });
  }

  /** The cache's key: the parts, one a line (none holds a line break but a token, which comes last); null as NUL. */
  private static String key(String op, String who, String what) {
    return op + "\n" + (who == null ? "\0" : who) + "\n" + (what == null ? "\0" : what);
  }

  public Future<Void> close() {
    return http.close();
  }

  private Future<Verdict> ask(String key, JsonObject request, java.util.function.Function<JsonObject, Verdict> allowed) {
    Verdict kept = cache.get(key, System.nanoTime());
    if (kept != null) {
      return Future.succeededFuture(kept);
    }
    return post(request).map(answer -> {
      Verdict verdict = verdictOf(answer, allowed);
      cache.put(key, verdict, System.nanoTime());
      backUp();
      return verdict;
    }).recover(failure -> {
      failed(failure);
      return Future.succeededFuture(failOpen ? UNANSWERED : FAILED_DENY);
    });
  }

  /** The backend's answer as a verdict; a malformed one fails (as if it had not answered). */
  private static Verdict verdictOf(JsonObject answer, java.util.function.Function<JsonObject, Verdict> allowed) {
    if (!(answer.getValue("allow") instanceof Boolean allow)) {
      throw new IllegalArgumentException("an answer without a boolean 'allow'");
    }
    if (!allow) {
      String reason = answer.getValue("reason") instanceof String text && !text.isBlank() ? text : "not allowed";
      return Verdict.denied(reason);
    }
    return allowed.apply(answer);
  }

  /** POSTs {@code request}; its answer, a JSON object with a 200, within {@code AUTH_PROXY_TIMEOUT_MS}. */
  private Future<JsonObject> post(JsonObject request) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.ACCEPT, "application/json");
    if (!secret.isEmpty()) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + secret);
    }
    Promise<JsonObject> answer = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long deadline = vertx.setTimer(timeoutMs, id -> {
      if (answer.tryFail(new TimeoutException("no answer within " + timeoutMs + " ms")) && sent[0] != null) {
        sent[0].reset(); // do not leave the connection to a late answer
      }
    });
    http.request(options)
        .compose(req -> {
          if (answer.future().isComplete()) {
            req.reset(); // too late already: a connection came free only after the deadline
            return Future.failedFuture("too late");
          }
          sent[0] = req;
          return req.send(request.toBuffer());
        })
        .compose(response -> {
          String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
          if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > ANSWER_MAX_BYTES) {
            response.request().reset();
            return Future.failedFuture("an answer of " + length + " bytes");
          }
          return response.body().compose(body -> response.statusCode() == 200 ? Future.succeededFuture(body)
              : Future.failedFuture("HTTP " + response.statusCode()));
        })
        .map(AuthProxy::json)
        .onComplete(done -> {
          vertx.cancelTimer(deadline);
          if (done.succeeded()) {
            answer.tryComplete(done.result());
          } else {
            answer.tryFail(done.cause());
          }
        });
    return answer.future();
  }

  private static JsonObject json(Buffer body) {
    if (body.length() > ANSWER_MAX_BYTES) {
      throw new IllegalArgumentException("an answer of " + body.length() + " bytes");
    }
    return body.toJsonObject(); // not a JSON object: fails, like any other answer that is not one
  }

  private void failed(Throwable failure) {
    if (down) {
      failedMeanwhile++;
      return;
    }
    down = true;
    failedMeanwhile = 1;
    String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    log.warn("the authorization proxy at {} failed ({}); until it answers, {}", url, why,
        failOpen ? "Parley's own rules decide (AUTH_PROXY_FAIL=allow)" : "hello and join are denied");
  }

  private void backUp() {
    if (down) {
      down = false;
      log.info("the authorization proxy at {} is back; {} requests failed meanwhile", url, failedMeanwhile);
    }
  }
}
