package io.parley.bus;

/**
 * Who makes a request of the chat service: the {@code connection} (its id, set by the connection core, never by a
 * client), the client's {@code address} (as the node's per-address limits see it), its {@code transport}
 * ({@code ws}, {@code sockjs}, {@code tcp}: the authorization proxy hears it), and what the request itself says
 * of who sends it. On {@code /ws} it says nothing ({@code hello} did);
 * a bridge request may name its {@code nick} (which must then be the connection's) and a bridge {@code join} may
 * carry a {@code token}: the bridge has no hello, its first join claims the nick.
 */
public record Caller(String connection, String address, String transport, String nick, String token) {

  /** A caller from {@code address} (the client's, for per-address limits) whose requests say nothing of who it is. */
  public static Caller of(String connection, String address, String transport) {
    return new Caller(connection, address, transport, null, null);
  }

  /** Whether the request brings what claiming a nick needs. */
  public boolean hasCredentials() {
    return nick != null || token != null;
  }
}
