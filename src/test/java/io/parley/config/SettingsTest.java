package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each key is declared once, in {@link Settings}; what repeats it elsewhere must agree: the packaged defaults
 * ({@code conf/config.json}) and the README's table (name, default and doc line, in order).
 */
class SettingsTest {

  private static final Pattern ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| (.*?) \\| (.*) \\|$");

  @Test
  void conf_config_json_holds_every_key_at_its_declared_default() {
    JsonObject packaged = ConfigLoader.defaults();
    assertEquals(Settings.names(), List.copyOf(packaged.fieldNames()), "the keys of conf/config.json, in order");
    assertEquals(ParleyConfig.defaults(), packaged, "conf/config.json holds the declared defaults");
    ParleyConfig.fromJson(packaged); // and they pass their own checks
  }

  @Test
  void the_readme_table_is_the_declarations() throws IOException {
    StringBuilder expected = new StringBuilder();
    StringBuilder actual = new StringBuilder();
    for (Setting<?> setting : Settings.ALL) {
      expected.append("| `").append(setting.name()).append("` | ").append(setting.defaultDoc()).append(" | ")
          .append(setting.doc()).append(" |\n");
    }
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        actual.append(line).append('\n');
      }
    }
    assertEquals(expected.toString(), actual.toString(),
        "README.md's configuration table must be, row for row, what io.parley.config.Settings declares");
  }

  @Test
  void names_are_unique() {
    assertEquals(Settings.ALL.size(), new HashSet<>(Settings.names()).size());
    assertTrue(Settings.ALL.size() >= 37);
  }
}
