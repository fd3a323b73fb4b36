package io.parley.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The signature a receiver checks (docs/INTEGRATION.md, "Verifying a webhook"), and the retries' back-off. */
class WebhookSignatureTest {

  @Test
  void the_signature_is_the_hmac_sha256_of_timestamp_dot_body() {
    // Computed independently: printf '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac 'secret-of-16-chars'
    assertEquals("v1=83be8ff3852ad493da3ca1debb5ba9256193c716dbc72612956d6dfa8cf4654f",
        WebhookSignature.sign("secret-of-16-chars", 1_700_000_000L, "{\"id\":\"evt_1\"}"));
    String signature = WebhookSignature.sign("secret-of-16-chars", 1_700_000_000L, "{\"id\":\"evt_1\"}");
    assertTrue(WebhookSignature.verify("secret-of-16-chars", 1_700_000_000L, "{\"id\":\"evt_1\"}", signature));
    assertFalse(WebhookSignature.verify("secret-of-16-chars", 1_700_000_001L, "{\"id\":\"evt_1\"}", signature),
        "the timestamp is signed");
    assertFalse(WebhookSignature.verify("secret-of-16-chars", 1_700_000_000L, "{\"id\":\"evt_2\"}", signature));
    assertFalse(WebhookSignature.verify("another-secret-16", 1_700_000_000L, "{\"id\":\"evt_1\"}", signature));
    assertFalse(WebhookSignature.verify("secret-of-16-chars", 1_700_000_000L, "{\"id\":\"evt_1\"}", null));
  }

  @Test
  void retries_back_off_doubling_up_to_the_maximum_with_jitter() {
    for (int attempts = 1; attempts < 40; attempts++) {
      long full = Math.min(60_000, 500L << Math.min(30, attempts - 1));
      long delay = WebhookVerticle.retryDelay(attempts, 500, 60_000);
      assertTrue(delay <= full && delay >= full * 0.8, "try " + attempts + ": " + delay + " of " + full);
    }
  }
}
