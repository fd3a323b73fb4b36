package io.parley.cluster;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What keeps strangers out of a cluster, as far as open-source Hazelcast and Vert.x allow (docs/CLUSTER.md,
 * "Security"): the addresses the cluster ports bind, a Hazelcast cluster name derived from {@code CLUSTER_SECRET},
 * and TLS with mutual authentication on the event bus from {@code CLUSTER_TLS_KEYSTORE}.
 */
public final class ClusterSecurity {

  /** The cluster name without a secret: public, anyone can guess it. */
  public static final String PUBLIC_CLUSTER_NAME = "parley";

  private ClusterSecurity() {
  }

  /** The address the Hazelcast and event-bus ports bind: {@code CLUSTER_BIND_HOST}, else {@code CLUSTER_HOST}. */
  public static String bindHost(ParleyConfig config) {
    String bindHost = config.get(Settings.CLUSTER_BIND_HOST);
    return bindHost.isEmpty() ? config.get(Settings.CLUSTER_HOST) : bindHost;
  }

  /**
   * The Hazelcast cluster name for {@code secret}: a digest, so the secret itself never crosses the network (the
   * name does, in clear, in every join request: it keeps out those who do not know it, not those who can listen).
   */
  public static String clusterName(String secret) {
    if (secret.isEmpty()) {
      return PUBLIC_CLUSTER_NAME;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return PUBLIC_CLUSTER_NAME + "-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * With {@code CLUSTER_TLS_KEYSTORE}, the event bus speaks TLS both ways: the one key store is each node's
   * certificate and the only one it trusts, and a node demands its peers' certificate, so only holders of the key
   * store can connect. Vert.x's event-bus client skips host-name checks: one key store serves every host.
   *
   * <p>{@link PfxOptions}, not a {@code KeyStoreOptions} of type PKCS12: the event bus copies its options through
   * {@code toJson()}, which (in Vert.x 5.0) keeps only PEM, JKS and PFX stores and silently drops the others.
   */
  public static EventBusOptions withTls(EventBusOptions options, ParleyConfig config) {
    String keyStore = config.get(Settings.CLUSTER_TLS_KEYSTORE);
    if (keyStore.isEmpty()) {
      return options;
    }
    String password = config.get(Settings.CLUSTER_TLS_PASSWORD);
    checkReadable(keyStore, password);
    PfxOptions pkcs12 = new PfxOptions().setPath(keyStore).setPassword(password);
    return options.setSsl(true)
        .setKeyCertOptions(pkcs12)
        .setTrustOptions(pkcs12)
        .setClientAuth(ClientAuth.REQUIRED);
  }

  /**
   * Refuses at once, naming the keys, a key store that cannot be opened: a failure inside the clustered Vert.x
   * start-up is reported far less clearly. Blocking: called before any Vertx exists.
   */
  private static void checkReadable(String keyStore, String password) {
    try (InputStream in = Files.newInputStream(Path.of(keyStore))) {
      KeyStore.getInstance("PKCS12").load(in, password.toCharArray());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("config key " + Settings.CLUSTER_TLS_KEYSTORE.name() + " '" + keyStore
          + "' cannot be opened as PKCS#12 with " + Settings.CLUSTER_TLS_PASSWORD.name() + ": " + e.getMessage(), e);
    }
  }
}
