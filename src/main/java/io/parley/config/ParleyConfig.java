package io.parley.config;

import io.vertx.core.json.JsonObject;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Parley's settings, read once at start-up and checked: a value for every key of {@link Settings}, read with
 * {@link #get(Setting)} ({@code config.get(HTTP_PORT)} is an {@code int}, typed by its declaration).
 */
public final class ParleyConfig {

  private final Map<Setting<?>, Object> values;

  private ParleyConfig(Map<Setting<?>, Object> values) {
    this.values = values;
  }

  /** Builds the config from merged JSON; a missing or malformed key fails start-up with its name. */
  public static ParleyConfig fromJson(JsonObject merged) {
    Map<Setting<?>, Object> values = new IdentityHashMap<>();
    for (Setting<?> setting : Settings.ALL) {
      values.put(setting, setting.read(merged));
    }
    ParleyConfig config = new ParleyConfig(values);
    if (config.get(Settings.HEARTBEAT_TIMEOUT_MS) <= config.get(Settings.HEARTBEAT_INTERVAL_MS)) {
      throw Setting.invalid(Settings.HEARTBEAT_TIMEOUT_MS.name(), "must be more than "
          + Settings.HEARTBEAT_INTERVAL_MS.name() + " (" + config.get(Settings.HEARTBEAT_INTERVAL_MS) + "), got "
          + config.get(Settings.HEARTBEAT_TIMEOUT_MS));
    }
    return config;
  }

  /** Every key at its declared default. */
  public static JsonObject defaults() {
    JsonObject json = new JsonObject();
    Settings.ALL.forEach(setting -> json.put(setting.name(), setting.defaultJson()));
    return json;
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting);
  }

  /** Whether hello must carry a token (a verification key, or a key set to fetch them from, is configured). */
  public boolean authenticates() {
    return !get(Settings.JWT_KEY).isBlank() || !get(Settings.JWKS_URL).isBlank();
  }

  /** Leaves the key out: the config is logged. */
  @Override
  public String toString() {
    return "ParleyConfig[httpPort=" + get(Settings.HTTP_PORT) + ", clusterEnabled=" + get(Settings.CLUSTER_ENABLED)
        + ", authenticates=" + authenticates() + "]";
  }
}
