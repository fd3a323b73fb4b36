package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Packaged defaults, the operator file and system properties, read through Vert.x Config. */
@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @AfterEach
  void clearProperties() {
    System.clearProperty(Settings.HTTP_PORT.name());
    System.clearProperty(Settings.HISTORY_SIZE.name());
    System.clearProperty(ConfigLoader.CONFIG_FILE_KEY);
  }

  @Test
  void defaults_are_the_packaged_config_json(Vertx vertx) {
    ParleyConfig config = ConfigLoader.load(vertx).await();
    assertEquals(500, config.get(Settings.HISTORY_SIZE));
    assertEquals(4096, config.get(Settings.MAX_TEXT_LENGTH));
  }

  @Test
  void system_properties_override_the_operator_file_which_overrides_defaults(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("parley.json");
    Files.writeString(file, "{\"HTTP_PORT\": 9001, \"HISTORY_SIZE\": 50}");
    System.setProperty(ConfigLoader.CONFIG_FILE_KEY, file.toString());
    System.setProperty(Settings.HTTP_PORT.name(), "9002");
    ParleyConfig config = ConfigLoader.load(vertx).await();
    assertEquals(9002, config.get(Settings.HTTP_PORT));
    assertEquals(50, config.get(Settings.HISTORY_SIZE));
    assertEquals(4096, config.get(Settings.MAX_TEXT_LENGTH));
  }

  @Test
  void a_bad_value_fails_with_the_key_name(Vertx vertx) {
    System.setProperty(Settings.HISTORY_SIZE.name(), "lots");
    Exception e = assertThrows(Exception.class, () -> ConfigLoader.load(vertx).await());
    assertTrue(e.getMessage().contains("HISTORY_SIZE"), e.getMessage());
  }

  @Test
  void ranges_are_checked() {
    JsonObject json = ConfigLoader.defaults().put(Settings.HTTP_PORT.name(), 70000);
    Exception e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.fromJson(json));
    assertEquals("config key HTTP_PORT must be between 0 and 65535, got 70000", e.getMessage());
  }

  @Test
  void a_heartbeat_timeout_not_above_the_interval_is_refused() {
    JsonObject json = ConfigLoader.defaults().put(Settings.HEARTBEAT_INTERVAL_MS.name(), 30000)
        .put(Settings.HEARTBEAT_TIMEOUT_MS.name(), "30000");
    Exception e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.fromJson(json));
    assertTrue(e.getMessage().startsWith("config key HEARTBEAT_TIMEOUT_MS must be more than HEARTBEAT_INTERVAL_MS"),
        e.getMessage());
  }

  @Test
  void values_read_from_strings_as_the_environment_gives_them() {
    ParleyConfig config = ParleyConfig.fromJson(ConfigLoader.defaults()
        .put(Settings.CLUSTER_ENABLED.name(), " TRUE ")
        .put(Settings.CLUSTER_MEMBERS.name(), "a:1, b:2,,")
        .put(Settings.REQUEST_TIMEOUT_MS.name(), "250"));
    assertEquals(true, config.get(Settings.CLUSTER_ENABLED));
    assertEquals(java.util.List.of("a:1", "b:2"), config.get(Settings.CLUSTER_MEMBERS));
    assertEquals(250L, config.get(Settings.REQUEST_TIMEOUT_MS));
    Exception e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.fromJson(ConfigLoader.defaults()
        .put(Settings.ALLOWED_ORIGINS.name(), "https://ok.example, ftp://no")));
    assertTrue(e.getMessage().contains("ALLOWED_ORIGINS") && e.getMessage().contains("ftp://no"), e.getMessage());
  }
}
