package io.parley;

/** What the node's HTTP side reports about the node: its id, readiness for /health, the bound port. */
public final class NodeStatus {

  private final String nodeId;
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile int httpPort = -1;

  NodeStatus(String nodeId) {
    this.nodeId = nodeId;
  }

  /** The Vert.x cluster node id, or {@code standalone}; told to clients in {@code welcome}. */
  public String nodeId() {
    return nodeId;
  }

  public boolean ready() {
    return ready;
  }

  void markReady() {
    ready = true;
  }

  /** Shutting down: new connections are refused and /health says so, so that the balancer moves on. */
  public boolean draining() {
    return draining;
  }

  void markDraining() {
    draining = true;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Called by each HTTP verticle instance once listening; they share one port. */
  public void httpPort(int port) {
    httpPort = port;
  }
}
