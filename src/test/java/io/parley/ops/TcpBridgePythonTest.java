package io.parley.ops;

import java.nio.file.Path;
import java.util.List;

/** {@code examples/python/parley_chat.py}, Python's standard library only. */
class TcpBridgePythonTest extends TcpBridgeExampleTest {

  @Override
  protected List<String> command() {
    return List.of("python3", Path.of("examples", "python", "parley_chat.py").toString());
  }
}
