package io.parley.ops;

import java.nio.file.Path;
import java.util.List;

/** {@code examples/java/ParleyChat.java}, JDK only, run as a single source file by this JVM's own launcher. */
class TcpBridgeJavaTest extends TcpBridgeExampleTest {

  @Override
  protected List<String> command() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        Path.of("examples", "java", "ParleyChat.java").toString());
  }
}
