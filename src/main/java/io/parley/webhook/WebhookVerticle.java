package io.parley.webhook;

import io.parley.bus.Addresses;
import io.parley.bus.BackendRequest;
import io.parley.bus.LocalCodec;
import io.parley.common.LogThrottle;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.metrics.ParleyMetrics;
import io.parley.store.StorageKind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhooks ({@code WEBHOOK_URL}): claims the oldest waiting event of each room from the outbox, POSTs it
 * signed ({@link WebhookSignature}), removes it once answered 2xx, else tries it again later, backing off; a room's
 * next event waits for the one before, so a receiver sees each room in order. Runs beside the chat service, which
 * only {@linkplain WebhookQueue#offer offers} events: a slow or dead receiver slows nothing but this.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WebhookVerticle.class);
  /** How often an idle node looks for due events (of other nodes, or retries); its own are sent at once. */
  static final long POLL_MS = 250;

  private final ParleyConfig config;
  private final WebhookQueue queue;
  private final ParleyMetrics metrics;
  private final String node;
  private final LogThrottle failureLog = LogThrottle.perMinute(2);
  private WebhookOutbox outbox;
  private HttpClient client;
  private RequestOptions target;
  private String secret;
  private long timeoutMs;
  private int concurrency;
  private int inFlight;
  private boolean claiming;
  private boolean again;
  private long timer = -1;
  private long countTimer = -1;
  private boolean stopped;

  public WebhookVerticle(ParleyConfig config, WebhookQueue queue, ParleyMetrics metrics, String node) {
    this.config = config;
    this.queue = queue;
    this.metrics = metrics;
    this.node = node;
  }

  /** Webhooks are on when a URL is set; then a secret must be too. */
  public static boolean enabled(ParleyConfig config) {
    if (config.get(Settings.WEBHOOK_URL).isEmpty()) {
      return false;
    }
    if (config.get(Settings.WEBHOOK_SECRET).length() < 16) {
      throw new IllegalArgumentException("config key WEBHOOK_SECRET must be at least 16 characters with WEBHOOK_URL "
          + "set: receivers check each webhook's signature with it");
    }
    return true;
  }

  @Override
  public Future<?> start() {
    secret = config.get(Settings.WEBHOOK_SECRET);
    timeoutMs = config.get(Settings.WEBHOOK_TIMEOUT_MS);
    concurrency = config.get(Settings.WEBHOOK_CONCURRENCY);
    target = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.get(Settings.WEBHOOK_URL))
        .setIdleTimeout(timeoutMs).putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "Parley-Webhooks/1");
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMs).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    return open().compose(opened -> {
      outbox = opened;
      return outbox.size();
    }).onSuccess(size -> {
      metrics.measureWebhooks(queue::waiting, queue::stored);
      queue.attach(outbox, size, () -> vertx.runOnContext(v -> deliver()));
      countTimer = vertx.setPeriodic(5000, t -> count());
      log.info("webhooks to {} ({} waiting from before)", config.get(Settings.WEBHOOK_URL), size);
      deliver();
    });
  }

  private Future<WebhookOutbox> open() {
    return switch (StorageKind.of(config)) {
      case POSTGRESQL -> PostgresOutbox.open(vertx, config.get(Settings.DATABASE_URL),
          config.get(Settings.REQUEST_TIMEOUT_MS), node);
      case MEMORY -> Future.succeededFuture(new MemoryOutbox());
      default -> SqliteOutbox.open(vertx, Path.of(config.get(Settings.DATA_DIR)),
          "full".equals(config.get(Settings.EMBEDDED_SYNC)));
    };
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(countTimer);
    if (outbox == null) {
      return client.close();
    }
    // What the chat service offered reaches the outbox before it closes, for another node (or the next start) to
    // deliver; bounded, so that a store gone silent cannot hold the node's stop for ever.
    long bound = config.get(Settings.REQUEST_TIMEOUT_MS);
    return queue.flush().timeout(bound, TimeUnit.MILLISECONDS)
        .onFailure(failure -> log.warn("stopping with {} webhooks not queued in the outbox (they are lost): {}",
            queue.waiting(), failure.toString()))
        .eventually(() -> {
          queue.detach();
          return client.close();
        })
        .eventually(() -> outbox.close());
  }

  private void count() {
    outbox.size().onSuccess(queue::counted);
  }

  /** One round: claims what it has room for and sends each; another round when one ends or in {@link #POLL_MS}. */
  private void deliver() {
    if (stopped) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    int room = concurrency - inFlight;
    if (room <= 0) {
      return;
    }
    claiming = true;
    queue.retryWrites();
    long now = System.currentTimeMillis();
    // A lease outlives a POST that times out, so that no other node sends the same event meanwhile.
    // Bounded: a claim that never completes (a store gone silent) must not stop delivery for good.
    outbox.claim(room, now, now + 2 * timeoutMs + 1000).timeout(2 * timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(claimed -> claimed(claimed, room));
  }

  private void claimed(AsyncResult<List<WebhookOutbox.Queued>> claimed, int asked) {
    claiming = false;
    if (claimed.succeeded()) {
      claimed.result().forEach(this::send);
    } else {
      logFailure("could not read the webhook queue: " + claimed.cause());
    }
    // A full claim: there may be more due at once. Otherwise, poll; each send's end also starts a round.
    boolean more = again || (claimed.succeeded() && claimed.result().size() == asked);
    again = false;
    if (more) {
      deliver();
    } else {
      schedule();
    }
  }

  private void schedule() {
    if (!stopped && inFlight < concurrency) {
      vertx.cancelTimer(timer);
      timer = vertx.setTimer(POLL_MS, t -> deliver());
    }
  }

  private void send(WebhookOutbox.Queued queued) {
    inFlight++;
    enrich(queued.event()).compose(body -> post(queued, body)).onComplete(sent -> {
      Future<Void> recorded;
      if (sent.succeeded()) {
        metrics.webhookDelivered();
        queue.deliveredOne();
        recorded = outbox.delivered(queued);
      } else {
        metrics.webhookFailed();
        long delay = retryDelay(queued.attempts(), config.get(Settings.WEBHOOK_RETRY_FIRST_MS),
            config.get(Settings.WEBHOOK_RETRY_MAX_MS));
        logFailure("webhook " + queued.event().id() + " (" + queued.event().type() + " in " + queued.event().room()
            + ") failed on try " + queued.attempts() + ", next in " + delay + " ms: " + sent.cause().getMessage());
        recorded = outbox.retryAt(queued, System.currentTimeMillis() + delay);
      }
      recorded.onComplete(done -> {
        inFlight--;
        if (done.failed()) {
          // Its lease lapses and it is sent again: at least once.
          logFailure("could not record webhook " + queued.event().id() + "'s outcome: " + done.cause());
        }
        deliver();
      });
    });
  }

  /**
   * The body: the event, and for a message in a private room or a direct conversation the members with no
   * connection in it now ({@code offline}), whom a backend may want to notify some other way.
   */
  private Future<String> enrich(WebhookEvent event) {
    JsonObject body = event.toJson().put("node", node);
    if (!"message".equals(event.type())) {
      return Future.succeededFuture(body.encode());
    }
    return vertx.eventBus().<JsonObject>request(Addresses.SERVER_API, new BackendRequest("offline", event.room(),
        null, null), LocalCodec.options().setSendTimeout(timeoutMs)).map(reply -> {
          JsonArray offline = reply.body().getJsonArray("offline");
          if (offline != null) {
            body.put("offline", offline);
          }
          return body.encode();
        })
        // Without the list (the room is gone, the chat service is busy) rather than not at all: a room's webhooks
        // must not wait behind one that can never be enriched.
        .recover(failure -> Future.succeededFuture(body.encode()));
  }

  private Future<Void> post(WebhookOutbox.Queued queued, String body) {
    long timestamp = System.currentTimeMillis() / 1000;
    RequestOptions options = new RequestOptions(target)
        .putHeader("Parley-Webhook-Id", queued.event().id())
        .putHeader("Idempotency-Key", queued.event().id())
        .putHeader("Parley-Timestamp", Long.toString(timestamp))
        .putHeader("Parley-Signature", WebhookSignature.sign(secret, timestamp, body))
        .putHeader("Parley-Attempt", Integer.toString(queued.attempts()));
    return client.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().compose(ignored -> response.statusCode() / 100 == 2
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("answered " + response.statusCode())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The wait before try {@code attempts + 1}: doubling from {@code firstMs} up to {@code maxMs}, with 20% jitter. */
  static long retryDelay(int attempts, long firstMs, long maxMs) {
    long delay = firstMs << Math.min(30, Math.max(0, attempts - 1));
    delay = Math.min(maxMs, delay <= 0 ? maxMs : delay);
    return delay - (long) (delay * 0.2 * ThreadLocalRandom.current().nextDouble());
  }

  private void logFailure(String line) {
    long left = failureLog.admit();
    if (left >= 0) {
      log.warn("{}{}", line, LogThrottle.note(left));
    }
  }
}
