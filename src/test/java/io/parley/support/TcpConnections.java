package io.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * The local addresses listening on {@code localPort} (state 0A, LISTEN), as the kernel has them: {@code 127.0.0.1},
   * or {@code 0.0.0.0} / {@code ::} for every interface. IPv6 entries other than those two are given in hex.
   */
  public static List<String> listening(int localPort) {
    String port = String.format(":%04X", localPort);
    List<String> addresses = new ArrayList<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length > 3 && fields[1].endsWith(port) && fields[3].equals("0A")) {
            addresses.add(address(fields[1].substring(0, fields[1].length() - port.length())));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return addresses;
  }

  /**
   * /proc's hex address: IPv4 as four little-endian bytes; an IPv4-mapped IPv6 address (a Java dual-stack socket
   * bound to an IPv4 address) as that IPv4 address; IPv6's any-address as {@code ::}.
   */
  private static String address(String hex) {
    if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
      return address(hex.substring(24));
    }
    if (hex.length() == 8) {
      long value = Long.parseLong(hex, 16);
      return (value & 0xFF) + "." + (value >> 8 & 0xFF) + "." + (value >> 16 & 0xFF) + "." + (value >> 24 & 0xFF);
    }
    return hex.matches("0+") ? "::" : hex;
  }
}
