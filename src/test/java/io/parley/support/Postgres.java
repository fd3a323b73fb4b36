package io.parley.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for the tests: a throw-away instance of Debian's PostgreSQL (the {@code postgresql}
 * package, which {@code .ci/test} installs), made with {@code initdb} in a temporary folder and started on a free
 * port, once per test JVM, and stopped when it ends. Each test gets a database of its own ({@link #freshDatabase}).
 * As root (CI), the server runs as the {@code postgres} user, as PostgreSQL insists. Without the binaries the tests
 * that need it fail: a skipped database test would be counted as a pass.
 */
public final class Postgres {

  private static final Logger log = LoggerFactory.getLogger(Postgres.class);
  private static final String USER = "parley";
  private static final String PASSWORD = "parley-test";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static Postgres server;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asPostgresUser;
  private String listenAddresses = "127.0.0.1";

  private Postgres(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /**
   * A server of its own (not this JVM's shared one), listening on 127.0.0.1 and on {@code address} too, and taking
   * password logins from {@code allowedCidr}: for nodes in network namespaces, which reach it at {@code address} (the
   * bridge's). The caller stops it with {@link #close()}; a shutdown hook does if it does not.
   */
  public static Postgres dedicated(String address, String allowedCidr) {
    Postgres pg = create(address, allowedCidr);
    Runtime.getRuntime().addShutdownHook(new Thread(pg::destroy, "postgres-stop"));
    return pg;
  }

  /** Stops a {@link #dedicated} server and removes its files. */
  public void close() {
    destroy();
  }

  /** A new, empty database, as the URL {@code DATABASE_URL} takes, reached at {@code host}. */
  public String freshDatabase(String host) {
    return freshDatabase().replace("@127.0.0.1:", "@" + host + ":");
  }

  /** The server of this JVM, made and started at the first call. */
  public static synchronized Postgres server() {
    if (server == null) {
      server = create();
      Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "postgres-stop"));
    }
    return server;
  }

  /** A new, empty database on the server, as the URL {@code DATABASE_URL} takes. */
  public String freshDatabase() {
    String name = "parley_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER, name));
    return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + name;
  }

  public int port() {
    return port;
  }

  /** Stops the server (fast shutdown: connections are cut), as an outage. */
  public void stop() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"));
  }

  /** Starts it again (also the first time). */
  public void start() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=" + listenAddresses + " -c max_connections=300", "-w", "start"));
  }

  private static Postgres create() {
    return create(null, null);
  }

  private static Postgres create(String alsoListenOn, String allowedCidr) {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    try {
      Path dir = Files.createTempDirectory("parley-pg-");
      Postgres pg = new Postgres(bin, dir, Ports.free(), root);
      Path passwords = dir.resolve("pw");
      Files.writeString(passwords, PASSWORD + "\n");
      if (root) {
        pg.run(List.of("chown", "-R", "postgres", dir.toString()));
      }
      pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", USER, "--pwfile=" + passwords,
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"));
      if (alsoListenOn != null) {
        pg.listenAddresses = "127.0.0.1," + alsoListenOn;
        Path hba = pg.data.resolve("pg_hba.conf");
        pg.run(List.of("sh", "-c", "echo 'host all all " + allowedCidr + " scram-sha-256' >> " + hba));
      }
      pg.start();
      log.info("PostgreSQL for the tests on {}:{} ({})", pg.listenAddresses, pg.port, dir);
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/N/bin). */
  private static Path binaries() {
    File[] versions = new File("/usr/lib/postgresql").listFiles(f -> new File(f, "bin/initdb").canExecute());
    if (versions == null || versions.length == 0) {
      throw new AssertionError("PostgreSQL's server is not installed (/usr/lib/postgresql/*/bin/initdb): "
          + "apt-get install postgresql (.ci/test does)");
    }
    return Arrays.stream(versions).max(Comparator.comparingInt(f -> Integer.parseInt(f.getName().replaceAll("\\D", "0"))))
        .orElseThrow().toPath().resolve("bin");
  }

  private void destroy() {
    try {
      stop();
    } catch (RuntimeException | AssertionError ignored) {
      // stopped already
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // a temporary folder
    }
  }

  private void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (asPostgresUser && !command.get(0).equals("chown")) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    try {
      ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(dir.resolve("commands.log").toFile().exists()
              ? ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile())
              : ProcessBuilder.Redirect.to(dir.resolve("commands.log").toFile()));
      builder.environment().put("PGPASSWORD", PASSWORD);
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", full) + " failed:\n"
            + Files.readString(dir.resolve("commands.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
