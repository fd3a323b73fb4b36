package io.parley;

/** What the node's HTTP side reports about the node: readiness for /health, and the bound port. */
public final class NodeStatus {

  private volatile boolean ready;
  private volatile int httpPort = -1;

  public boolean ready() {
    return ready;
  }

  void markReady() {
    ready = true;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Called by each HTTP verticle instance once listening; they share one port. */
  public void httpPort(int port) {
    httpPort = port;
  }
}
