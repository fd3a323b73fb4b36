package io.parley.store;

import io.parley.config.ParleyConfig;
import io.parley.config.Settings;

/** Where a node keeps rooms and messages, from {@code STORAGE}, {@code DATABASE_URL} and {@code CLUSTER_ENABLED}. */
public enum StorageKind {
  /** SQLite in {@code DATA_DIR}: the default of a node alone. */
  EMBEDDED,
  /** PostgreSQL at {@code DATABASE_URL}: what every node of a cluster shares. */
  POSTGRESQL,
  /** Memory (and Hazelcast in a cluster): forgotten when the node, or the whole cluster, stops. */
  MEMORY;

  /** The storage this config asks for; refuses what cannot work (a cluster on files of its own per node). */
  public static StorageKind of(ParleyConfig config) {
    boolean clustered = config.get(Settings.CLUSTER_ENABLED);
    boolean database = !config.get(Settings.DATABASE_URL).isEmpty();
    switch (config.get(Settings.STORAGE)) {
      case "memory":
        return MEMORY;
      case "postgresql":
        if (!database) {
          throw new IllegalArgumentException("STORAGE=postgresql needs DATABASE_URL (postgresql://user:password@host:port/db)");
        }
        return POSTGRESQL;
      case "embedded":
        if (clustered) {
          throw new IllegalArgumentException(clusterNeedsDatabase());
        }
        return EMBEDDED;
      default: // auto
        if (database) {
          return POSTGRESQL;
        }
        if (clustered) {
          throw new IllegalArgumentException(clusterNeedsDatabase());
        }
        return EMBEDDED;
    }
  }

  private static String clusterNeedsDatabase() {
    return "a cluster needs DATABASE_URL: every node must store into the same PostgreSQL database (an embedded "
        + "database per node would diverge); set STORAGE=memory to keep history in memory, forgotten when the "
        + "cluster stops";
  }
}
