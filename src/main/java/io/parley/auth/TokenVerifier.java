package io.parley.auth;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/**
 * Checks the JWT a client brings to {@code hello} (or to the bridge's first {@code chat.join}) with the configured
 * key: signature (the key's algorithm only; never {@code none}), an expiry that is there and not past, not-before.
 * A token that expires during a session does not end it. The nick is the token's {@code JWT_NICK_CLAIM}: a client cannot pick another.
 */
public final class TokenVerifier {

  private final JWTAuth jwt;
  private final String nickClaim;

  private TokenVerifier(JWTAuth jwt, String nickClaim) {
    this.jwt = jwt;
    this.nickClaim = nickClaim;
  }

  /** A verifier for the configured key, or null when none is configured (guests pick their nick). */
  public static TokenVerifier create(Vertx vertx, ParleyConfig config) {
    if (!config.authenticates()) {
      return null;
    }
    // HS* keys are shared secrets; the others are PEM public keys.
    JWTAuthOptions options = new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.get(Settings.JWT_ALGORITHM)).setBuffer(config.get(Settings.JWT_KEY)));
    return new TokenVerifier(JWTAuth.create(vertx, options), config.get(Settings.JWT_NICK_CLAIM));
  }

  /** The nick the token vouches for; fails with {@code invalid_token} (or {@code invalid_nick}) otherwise. */
  public Future<String> nickOf(String token) {
    return jwt.authenticate(new TokenCredentials(token))
        .recover(failure -> Future.failedFuture(new ProtocolException(ErrorCode.INVALID_TOKEN,
            "the token is not valid: " + failure.getMessage())))
        .map(user -> {
          // Vert.x keeps exp, iat and nbf among the user's attributes.
          if (!(user.attributes().getValue("exp") instanceof Number) && !(user.principal().getValue("exp") instanceof Number)) {
            throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token has no expiry ('exp')");
          }
          Object nick = user.principal().getValue(nickClaim);
          if (!(nick instanceof String text)) {
            throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the token has no '" + nickClaim + "' claim");
          }
          return Names.requireNick(text);
        });
  }
}
