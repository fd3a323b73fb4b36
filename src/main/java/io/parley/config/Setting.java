package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One configuration key, declared once in {@link Settings}: its name, its type (how a value is read and checked),
 * its default and one line of documentation. Validation, {@code conf/config.json} and the README's table all follow
 * from the declaration ({@code SettingsTest} checks the last two against it).
 *
 * <p>Values arrive as JSON (the packaged defaults, an operator's file) or as strings (environment variables,
 * system properties): {@code "8080"} reads as well as {@code 8080}.
 */
public final class Setting<T> {

  private final String name;
  private final T defaultValue;
  private final String doc;
  private final Function<Object, T> reader;

  private Setting(String name, T defaultValue, String doc, Function<Object, T> reader) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.doc = doc;
    this.reader = reader;
  }

  /** A whole number in {@code min..max}. */
  static Setting<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
    return new Setting<>(name, defaultValue, doc, value -> (int) inRange(name, whole(name, value), min, max));
  }

  /** A whole number of milliseconds (or another long quantity) in {@code min..max}. */
  static Setting<Long> longer(String name, long defaultValue, long min, long max, String doc) {
    return new Setting<>(name, defaultValue, doc, value -> inRange(name, whole(name, value), min, max));
  }

  static Setting<Boolean> flag(String name, boolean defaultValue, String doc) {
    return new Setting<>(name, defaultValue, doc, value -> {
      if (value instanceof Boolean b) {
        return b;
      }
      String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
      if (!text.equals("true") && !text.equals("false")) {
        throw invalid(name, "must be true or false, got '" + value + "'");
      }
      return Boolean.parseBoolean(text);
    });
  }

  /** Any text (trimmed when {@code trim}). */
  static Setting<String> text(String name, String defaultValue, boolean trim, String doc) {
    return new Setting<>(name, defaultValue, doc, value -> trim ? String.valueOf(value).trim() : String.valueOf(value));
  }

  /** Text matching {@code pattern} (trimmed); {@code wants} says what in the error. */
  static Setting<String> matching(String name, String defaultValue, String pattern, String wants, String doc) {
    return new Setting<>(name, defaultValue, doc, value -> {
      String text = String.valueOf(value).trim();
      if (!text.matches(pattern)) {
        throw invalid(name, "must be " + wants + ", got '" + text + "'");
      }
      return text;
    });
  }

  /** A comma-separated list (or a JSON array) whose entries match {@code pattern}; blanks dropped. */
  static Setting<List<String>> list(String name, String pattern, String wants, String doc) {
    return new Setting<>(name, List.of(), doc, value -> {
      Stream<String> items = value instanceof JsonArray array ? array.stream().map(String::valueOf)
          : Arrays.stream(String.valueOf(value).split(","));
      List<String> entries = items.map(String::trim).filter(item -> !item.isEmpty()).toList();
      for (String entry : entries) {
        if (!entry.matches(pattern)) {
          throw invalid(name, "wants " + wants + ", got '" + entry + "'");
        }
      }
      return entries;
    });
  }

  /**
   * A comma-separated list (or JSON array) of secrets, each of printable ASCII without spaces and at least
   * {@code minLength} long; a bad one is refused without being echoed (it may be a real key with a typo).
   */
  static Setting<List<String>> secrets(String name, int minLength, String doc) {
    return new Setting<>(name, List.of(), doc, value -> {
      Stream<String> items = value instanceof JsonArray array ? array.stream().map(String::valueOf)
          : Arrays.stream(String.valueOf(value).split(","));
      List<String> entries = items.map(String::trim).filter(item -> !item.isEmpty()).toList();
      for (int i = 0; i < entries.size(); i++) {
        if (!entries.get(i).matches("[!-~]{" + minLength + ",512}")) {
          throw invalid(name, "entry " + (i + 1) + " must be " + minLength
              + " to 512 printable ASCII characters without spaces or commas");
        }
      }
      return entries;
    });
  }

  public String name() {
    return name;
  }

  public T defaultValue() {
    return defaultValue;
  }

  /** One line: what the key does, as the README's table says it. */
  public String doc() {
    return doc;
  }

  /** The value of this key in the merged configuration, checked; a missing or malformed one names the key. */
  T read(JsonObject merged) {
    Object value = merged.getValue(name);
    if (value == null) {
      throw invalid(name, "is missing");
    }
    return reader.apply(value);
  }

  /** The default as {@code conf/config.json} holds it (a list as a comma-separated string). */
  Object defaultJson() {
    return defaultValue instanceof List<?> entries ? String.join(",", entries.stream().map(String::valueOf).toList())
        : defaultValue;
  }

  /** The default as the README's table shows it: {@code `8080`}, or {@code (empty)}. */
  public String defaultDoc() {
    String text = String.valueOf(defaultJson());
    return text.isEmpty() ? "(empty)" : "`" + text + "`";
  }

  @Override
  public String toString() {
    return name;
  }

  private static long whole(String name, Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    try {
      return Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw invalid(name, "must be a whole number, got '" + value + "'");
    }
  }

  private static long inRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(name, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  static IllegalArgumentException invalid(String name, String problem) {
    return new IllegalArgumentException("config key " + name + " " + problem);
  }
}
