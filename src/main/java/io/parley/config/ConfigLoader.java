package io.parley.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads Parley's configuration with Vert.x Config. Later stores override earlier ones:
 * <ol>
 *   <li>the defaults, {@code conf/config.json} as packaged inside the jar;</li>
 *   <li>an optional operator file named by {@code PARLEY_CONFIG} (environment or system property);</li>
 *   <li>environment variables named like the keys ({@code HTTP_PORT=9000});</li>
 *   <li>system properties named like the keys ({@code -DHTTP_PORT=9000}).</li>
 * </ol>
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "conf/config.json";
  public static final String CONFIG_FILE_KEY = "PARLEY_CONFIG";

  private ConfigLoader() {
  }

  /** The packaged defaults. Reads a classpath resource: call from main or tests, not an event loop. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is not on the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Merges every store into one JSON object and validates it as a {@link ParleyConfig}. */
  public static Future<ParleyConfig> load(Vertx vertx) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(defaults()));
    String operatorFile = System.getProperty(CONFIG_FILE_KEY, System.getenv(CONFIG_FILE_KEY));
    if (operatorFile != null && !operatorFile.isBlank()) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", operatorFile)));
    }
    options
        .addStore(new ConfigStoreOptions().setType("env")
            .setConfig(new JsonObject().put("keys", new JsonArray(Settings.names()))))
        .addStore(new ConfigStoreOptions().setType("sys"));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .map(ParleyConfig::fromJson)
        .onComplete(done -> retriever.close());
  }
}
