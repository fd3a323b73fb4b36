package io.parley.store.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parley's schema, as versioned migrations run at start-up: {@code db/<dialect>/V<n>__<name>.sql} on the class path,
 * applied in order, each in a transaction with its row in {@code parley_schema}. A database whose schema is newer
 * than this Parley knows is refused: an older node must not write to a newer layout. The SQL of each dialect
 * (SQLite, PostgreSQL) is its own file; the versions are the same.
 */
public final class Migrations {

  /** One migration: its version and the name of its file. */
  public record Migration(int version, String name) {

    /** Its statements in {@code dialect} ({@code sqlite}, {@code postgresql}). */
    public List<String> statements(String dialect) {
      String path = "db/" + dialect + "/V" + version + "__" + name + ".sql";
      try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException(path + " is not on the class path");
        }
        return split(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Every migration this Parley knows, oldest first. */
  public static final List<Migration> ALL = List.of(
      new Migration(1, "rooms_and_messages"),
      new Migration(2, "private_rooms_and_read_markers"),
      new Migration(3, "room_changes"),
      new Migration(4, "webhook_outbox"));

  /** The table that says which versions are applied. */
  static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS parley_schema ("
      + "version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied BIGINT NOT NULL)";
  static final String CURRENT_VERSION = "SELECT COALESCE(MAX(version), 0) FROM parley_schema";

  private Migrations() {
  }

  public static int latest() {
    return ALL.get(ALL.size() - 1).version();
  }

  /**
   * What to apply to a database at {@code current}: the newer migrations, in order. Refuses a schema newer than
   * {@link #latest()}.
   */
  public static List<Migration> pending(int current) {
    if (current > latest()) {
      throw new IllegalStateException("the database's schema is version " + current + ", newer than this Parley knows ("
          + latest() + "): run a Parley at least as new as the one that upgraded it");
    }
    return ALL.stream().filter(m -> m.version() > current).toList();
  }

  /**
   * Statements of a migration file: separated by a semicolon at the end of a line; comment lines dropped. Plain on
   * purpose: a statement whose body has a line ending in a semicolon (a PL/pgSQL function, a trigger) would be cut
   * there; write such a body on one line, or give this a dollar-quote rule when a migration first needs one.
   */
  static List<String> split(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().trim());
    }
    return statements;
  }

  static String describe(Migration migration) {
    return Arrays.stream(migration.name().split("_")).reduce((a, b) -> a + " " + b).orElse(migration.name());
  }
}
