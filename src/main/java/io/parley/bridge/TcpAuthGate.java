package io.parley.bridge;

import io.parley.api.ApiKeys;
import io.parley.auth.TokenVerifier;
import io.parley.connection.Connection;
import io.parley.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TCP_BRIDGE_AUTH=required}: stands between a TCP bridge connection's frames and its {@link BridgeSession}
 * until its first frame, {@code {"type":"auth","apiKey":...}} or {@code {"type":"auth","token":<JWT>}}, proves it
 * may talk to the node. It answers {@code {"type":"authed"}} and lets every later frame through; anything else first,
 * or nothing within {@code TCP_BRIDGE_AUTH_TIMEOUT_MS}, gets an {@code err} frame and the connection closed. One
 * instance per connection, on its event loop.
 */
final class TcpAuthGate implements Handler<Buffer> {

  private static final Logger log = LoggerFactory.getLogger(TcpAuthGate.class);
  /** Frames a client may send while its JWT is being checked (a JWKS fetch can take a while); more: closed. */
  private static final int MAX_EARLY_FRAMES = 64;

  private enum State { WAITING, VERIFYING, OPEN, REFUSED }

  private final Vertx vertx;
  private final Connection connection;
  private final ApiKeys keys;
  private final TokenVerifier tokens; // null: no JWT configured, API keys only
  private final Handler<Buffer> session;
  private final Queue<Buffer> early = new ArrayDeque<>();
  private final long timer;
  private State state = State.WAITING;

  TcpAuthGate(Vertx vertx, Connection connection, ApiKeys keys, TokenVerifier tokens, long timeoutMs,
      Handler<Buffer> session) {
    this.vertx = vertx;
    this.connection = connection;
    this.keys = keys;
    this.tokens = tokens;
    this.session = session;
    this.timer = vertx.setTimer(timeoutMs, id -> {
      if (state == State.WAITING || state == State.VERIFYING) {
        refuse("auth_timeout");
      }
    });
  }

  @Override
  public void handle(Buffer frame) {
    switch (state) {
      case OPEN -> session.handle(frame);
      case WAITING -> authenticate(frame);
      case VERIFYING -> {
        if (early.size() >= MAX_EARLY_FRAMES) {
          refuse("auth_required");
        } else {
          early.add(frame);
        }
      }
      case REFUSED -> { } // closing: nothing more is read
    }
  }

  /** Cancels the timer: the connection closed. */
  void closed() {
    vertx.cancelTimer(timer);
    state = State.REFUSED;
    early.clear();
  }

  private void authenticate(Buffer frame) {
    JsonObject auth;
    try {
      auth = new JsonObject(frame.toString());
    } catch (DecodeException | ClassCastException e) {
      refuse("auth_required");
      return;
    }
    if (!"auth".equals(auth.getValue("type"))) {
      refuse("auth_required");
      return;
    }
    Object apiKey = auth.getValue("apiKey");
    Object token = auth.getValue("token");
    if (apiKey instanceof String key) {
      if (keys.accepts(key)) {
        open(null);
      } else {
        refuse("auth_failed");
      }
    } else if (token instanceof String jwt && tokens != null) {
      state = State.VERIFYING;
      tokens.nickOf(jwt).onComplete(verified -> {
        if (state != State.VERIFYING) {
          return; // timed out or closed meanwhile
        }
        if (verified.succeeded()) {
          open(verified.result());
        } else {
          refuse("auth_failed");
        }
      });
    } else {
      refuse("auth_failed");
    }
  }

  private void open(String nick) {
    vertx.cancelTimer(timer);
    state = State.OPEN;
    JsonObject authed = new JsonObject().put("type", "authed");
    if (nick != null) {
      authed.put("nick", nick); // the token's nick: its first chat.join still carries the token, as on the SockJS bridge
    }
    connection.send(authed.encode());
    connection.heard();
    while (!early.isEmpty() && state == State.OPEN && connection.isOpen()) {
      session.handle(early.poll());
    }
  }

  private void refuse(String reason) {
    vertx.cancelTimer(timer);
    state = State.REFUSED;
    early.clear();
    log.debug("TCP bridge connection refused: {}", reason);
    connection.send(BridgeWire.TCP.refusal(reason));
    connection.close(CloseCodes.POLICY_VIOLATION, reason);
  }

  /** Whether the configured keys and verifier can authenticate anyone: else {@code required} locks everyone out. */
  static Future<Void> check(ApiKeys keys, TokenVerifier tokens) {
    return keys.any() || tokens != null ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException(
        "TCP_BRIDGE_AUTH is required but neither API_KEYS nor JWT_KEY/JWKS_URL is set: nobody could connect"));
  }
}
