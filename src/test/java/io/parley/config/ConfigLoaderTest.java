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
    System.clearProperty(ParleyConfig.HTTP_PORT);
    System.clearProperty(ParleyConfig.HISTORY_SIZE);
    System.clearProperty(ConfigLoader.CONFIG_FILE_KEY);
  }

  @Test
  void defaults_are_the_packaged_config_json(Vertx vertx) {
    ParleyConfig config = ConfigLoader.load(vertx).await();
    // The environment of the test run may set keys; the packaged file must hold every one.
    JsonObject defaults = ConfigLoader.defaults();
    for (String key : ParleyConfig.KEYS) {
      assertTrue(defaults.containsKey(key), key + " has a default in conf/config.json");
    }
    assertEquals(ParleyConfig.fromJson(defaults).historySize(), config.historySize());
    assertEquals(500, config.historySize());
    assertEquals(4096, config.maxTextLength());
  }

  @Test
  void system_properties_override_the_operator_file_which_overrides_defaults(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("parley.json");
    Files.writeString(file, "{\"HTTP_PORT\": 9001, \"HISTORY_SIZE\": 50}");
    System.setProperty(ConfigLoader.CONFIG_FILE_KEY, file.toString());
    System.setProperty(ParleyConfig.HTTP_PORT, "9002");
    ParleyConfig config = ConfigLoader.load(vertx).await();
    assertEquals(9002, config.httpPort());
    assertEquals(50, config.historySize());
    assertEquals(4096, config.maxTextLength());
  }

  @Test
  void a_bad_value_fails_with_the_key_name(Vertx vertx) {
    System.setProperty(ParleyConfig.HISTORY_SIZE, "lots");
    Exception e = assertThrows(Exception.class, () -> ConfigLoader.load(vertx).await());
    assertTrue(e.getMessage().contains("HISTORY_SIZE"), e.getMessage());
  }

  @Test
  void ranges_are_checked() {
    JsonObject json = ConfigLoader.defaults().put(ParleyConfig.HTTP_PORT, 70000);
    Exception e = assertThrows(IllegalArgumentException.class, () -> ParleyConfig.fromJson(json));
    assertTrue(e.getMessage().contains("HTTP_PORT"), e.getMessage());
  }
}
