package io.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's own view of a port's TCP connections (Linux's /proc/net/tcp), for tests of what a node drops. */
public final class TcpConnections {

  private TcpConnections() {
  }

  /** How many TCP connections are established with {@code localPort} as their local port, on this machine. */
  public static int established(int localPort) {
    String port = String.format(":%04X ", localPort);
    int count = 0;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] fields = line.trim().split("\\s+");
          // sl local_address rem_address st ...: state 01 is ESTABLISHED
          if (fields.length > 3 && (fields[1] + " ").endsWith(port) && fields[3].equals("01")) {
            count++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return count;
  }
}
