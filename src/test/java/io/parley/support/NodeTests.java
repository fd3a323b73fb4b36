package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs one file of Node tests ({@code node --test}, TAP output) from {@code target/test-js}, where the build put
 * them with their npm packages, and turns each Node test into a JUnit test of the same name. A Node test that
 * fails, is skipped or never reports fails here; so does a run with no tests or a non-zero exit.
 */
public final class NodeTests {

  public static final Path DIR = Path.of("target", "test-js");
  private static final Pattern RESULT = Pattern.compile("^(not ok|ok) \\d+ - (.+?)(?: # (SKIP|TODO).*)?$");
  private static final Pattern SUMMARY = Pattern.compile("^# (tests|pass|fail|cancelled|skipped|todo) (\\d+)$");

  private record Result(String name, boolean ok, String directive, String details) {
  }

  private NodeTests() {
  }

  /** Runs {@code script} with {@code env} added, within {@code timeoutSeconds}; one dynamic test per Node test. */
  public static Stream<DynamicTest> run(String script, Map<String, String> env, long timeoutSeconds) {
    assertTrue(Files.isDirectory(DIR.resolve("node_modules")),
        "npm packages for the JavaScript tests are missing: the build runs npm ci in " + DIR);
    Path log = DIR.resolve(script + ".tap");
    ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap", script)
        .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    int exit;
    try {
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        fail(script + " did not finish within " + timeoutSeconds + " s; output in " + log);
      }
      exit = process.exitValue();
    } catch (IOException e) {
      throw new AssertionError("cannot run node (install Node.js 18 or later; .ci/test does): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    List<String> lines = readLines(log);
    List<Result> results = parse(lines);
    List<DynamicTest> tests = new ArrayList<>();
    for (Result result : results) {
      tests.add(DynamicTest.dynamicTest(result.name(), () -> {
        if (result.directive() != null) {
          fail(result.name() + " was not run (" + result.directive() + "): a skipped test is not a pass");
        }
        if (!result.ok()) {
          fail(result.name() + " failed:\n" + result.details());
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest(script + " ran every test and exited 0", () -> {
      Map<String, Integer> summary = summary(lines);
      assertTrue(summary.getOrDefault("tests", 0) > 0, () -> script + " reported no tests:\n" + String.join("\n", lines));
      assertEquals(summary.get("tests"), summary.get("pass"), () -> "not every test passed: " + summary);
      assertEquals(results.size(), summary.get("tests"), "every test reported a result line");
      assertEquals(0, exit, () -> "node exited " + exit + ":\n" + String.join("\n", lines));
    }));
    return tests.stream();
  }

  private static List<String> readLines(Path log) {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("no output from node in " + log, e);
    }
  }

  /** Top-level results only (subtests are indented), with the YAML block that follows a failure. */
  private static List<Result> parse(List<String> lines) {
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher matcher = RESULT.matcher(lines.get(i));
      if (!matcher.matches()) {
        continue;
      }
      StringBuilder details = new StringBuilder();
      for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("  "); j++) {
        details.append(lines.get(j)).append('\n');
      }
      results.add(new Result(matcher.group(2), matcher.group(1).equals("ok"), matcher.group(3), details.toString()));
    }
    return results;
  }

  private static Map<String, Integer> summary(List<String> lines) {
    Map<String, Integer> summary = new java.util.HashMap<>();
    for (String line : lines) {
      Matcher matcher = SUMMARY.matcher(line);
      if (matcher.matches()) {
        summary.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
      }
    }
    return summary;
  }
}
