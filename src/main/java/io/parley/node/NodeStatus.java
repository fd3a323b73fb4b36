package io.parley.node;

/** What the node's HTTP side reports about the node: its id, readiness for /ready, the bound port. */
public final class NodeStatus {

  private final String nodeId;
  private final java.util.function.BooleanSupplier clusterJoined;
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile int httpPort = -1;
  private volatile int tcpBridgePort = -1;
  private volatile int apiPort = -1;
  private volatile java.util.function.BooleanSupplier storageAvailable = () -> true;
  private volatile java.util.function.BooleanSupplier quorate = () -> true;

  public NodeStatus(String nodeId, java.util.function.BooleanSupplier clusterJoined) {
    this.nodeId = nodeId;
    this.clusterJoined = clusterJoined;
  }

  /** Whether this node is a cluster member (always, alone): with {@link #ready()}, what /ready reports. */
  public boolean clusterJoined() {
    return clusterJoined.getAsBoolean();
  }

  /** The Vert.x cluster node id, or {@code standalone}; told to clients in {@code welcome}. */
  public String nodeId() {
    return nodeId;
  }

  /** Whether the node's storage can reach its database now. */
  public boolean storageAvailable() {
    return storageAvailable.getAsBoolean();
  }

  public void storageAvailable(java.util.function.BooleanSupplier available) {
    storageAvailable = available;
  }

  /** Whether the node sees a quorum of its cluster (always, alone). */
  public boolean quorate() {
    return quorate.getAsBoolean();
  }

  public void quorate(java.util.function.BooleanSupplier quorum) {
    quorate = quorum;
  }

  public boolean ready() {
    return ready;
  }

  public void markReady() {
    ready = true;
  }

  /** Shutting down: new connections are refused and /ready says so, so that the balancer moves on. */
  public boolean draining() {
    return draining;
  }

  public void markDraining() {
    draining = true;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The TCP bridge's port, once it listens (-1: off). */
  public int tcpBridgePort() {
    return tcpBridgePort;
  }

  public void tcpBridgePort(int port) {
    tcpBridgePort = port;
  }

  /** The server API's port, once it listens (the HTTP port when it has no port of its own; -1: no API). */
  public int apiPort() {
    return apiPort;
  }

  public void apiPort(int port) {
    apiPort = port;
  }

  /** Called by each HTTP verticle instance once listening; they share one port. */
  public void httpPort(int port) {
    httpPort = port;
  }
}
