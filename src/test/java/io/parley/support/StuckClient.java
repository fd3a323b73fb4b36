package io.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket that, after the handshake and the frames it is told to send, never reads
 * again: what the server writes backs up through TCP, and pings go unanswered, as with a client that hangs or
 * means harm. Its receive buffer is small, so the backing up starts soon.
 */
public final class StuckClient implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;

  private StuckClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code /ws}, completes the handshake, and sends {@code frames} (JSON text) in order. */
  public static StuckClient connect(int port, String... frames) {
    return connectTo(port, "/ws", frames);
  }

  /** Likewise on another WebSocket path (the bridge's SockJS WebSocket transports). */
  public static StuckClient connectTo(int port, String path, String... frames) {
    try {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      StuckClient client = new StuckClient(socket);
      client.handshake(port, path);
      for (String frame : frames) {
        client.sendText(frame);
      }
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handshake(int port, String path) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    // Read the 101 answer up to its blank line, byte by byte, so that nothing after it is consumed.
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
  }

  /** Sends one masked text frame, as a client must. */
  public void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    out.write(0x81); // FIN, text
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xff);
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }

  /**
   * Sends the header of a masked text frame that announces {@code announced} payload bytes, then {@code bytes} of
   * that payload (an attacker's frame: the rest never comes).
   */
  public void sendFrameHeader(long announced, int bytes) throws IOException {
    out.write(0x81);
    out.write(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (announced >>> shift) & 0xff);
    }
    out.write(new byte[4]); // a zero mask
    out.write(new byte[bytes]);
    out.flush();
  }

  /**
   * Reads (now, for once) until the server's close frame and returns its code; -1 if the connection ended without
   * one. Frames before it are skipped.
   */
  public int readCloseCode() throws IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
    while (true) {
      int first = in.read();
      if (first < 0) {
        return -1;
      }
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length]; // server frames are not masked
      in.readFully(payload);
      if ((first & 0x0f) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
