package io.parley.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Parley-Signature} header: {@code v1=} and the hex HMAC-SHA256, keyed with {@code WEBHOOK_SECRET}, of
 * {@code <Parley-Timestamp>.<body>}. The timestamp is signed too, so that a receiver can refuse an old delivery
 * replayed by someone who recorded it (docs/INTEGRATION.md, "Verifying a webhook").
 */
public final class WebhookSignature {

  public static final String VERSION = "v1=";

  private WebhookSignature() {
  }

  /** The header's value for {@code body} sent at {@code timestampSeconds}. */
  public static String sign(String secret, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return VERSION + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** What a receiver does: recompute and compare in constant time. */
  public static boolean verify(String secret, long timestampSeconds, String body, String signature) {
    byte[] expected = sign(secret, timestampSeconds, body).getBytes(StandardCharsets.UTF_8);
    return signature != null && MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
  }
}
