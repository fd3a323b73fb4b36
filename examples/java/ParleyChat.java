/*
 * Chat in a Parley room from Java, through Parley's TCP event-bus bridge, with the JDK only (17 or later):
 *
 *     java examples/java/ParleyChat.java --host 127.0.0.1 --port 7000 --nick ada --room general
 *
 * No build step: the java launcher compiles and runs this one file. Each line you type is sent to the room;
 * what the room says is printed as it arrives, in the same words as examples/python/parley_chat.py:
 *
 *     * joined general as ada: alice, ada
 *     alice: hi ada
 *     * bob joined
 *
 * On an untrusted network the node runs with TCP_BRIDGE_AUTH=required (give --api-key, one of its API_KEYS, or
 * --token, a JWT) and TCP_BRIDGE_TLS_CERT (give --tls, and --ca with the node's certificate if it is not signed
 * by a CA the JDK trusts). The framing is the Vert.x TCP event-bus bridge's: every frame is a 4-byte big-endian
 * length and then that many bytes of UTF-8 JSON; addresses and bodies are those of docs/PROTOCOL.md,
 * "Event-bus bridge". The example exits 0 when its input ends, 1 when the node refuses or drops it.
 */

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

public class ParleyChat {

  /** The answers the bridge gives to no request: the node refused the connection and closes it. */
  private static final List<String> REFUSALS = List.of("auth_required", "auth_failed", "auth_timeout");

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    String nick = options.get("nick");
    String room = options.getOrDefault("room", "general");
    if (nick == null) {
      System.err.println("usage: java ParleyChat.java --nick NICK [--room ROOM] [--host HOST] [--port PORT]"
          + " [--api-key KEY | --token JWT] [--tls [--ca CERT.pem]] [--ping-seconds 20]");
      System.exit(2);
    }
    Bridge bridge = new Bridge(connect(options));
    CountDownLatch joined = new CountDownLatch(1);

    bridge.register("chat.room." + room, event -> {
      if ("message".equals(event.get("type")) && !nick.equals(event.get("from"))) {
        say(event.get("from") + ": " + event.get("text"));
      } else if ("presence".equals(event.get("type")) && !nick.equals(event.get("nick"))) {
        say("* " + event.get("nick") + ("join".equals(event.get("event")) ? " joined" : " left"));
      }
    });
    bridge.start();
    // Pipelined: the node serves the frames behind an auth frame once it has checked it, in order. Register
    // the room before the join, so nothing said after the join is missed.
    if (options.containsKey("api-key")) {
      bridge.write(Map.of("type", "auth", "apiKey", options.get("api-key")));
    } else if (options.containsKey("token")) {
      bridge.write(Map.of("type", "auth", "token", options.get("token")));
    }
    bridge.flushRegistrations();
    Map<String, Object> join = new LinkedHashMap<>(Map.of("room", room, "nick", nick));
    if (options.containsKey("token")) {
      join.put("token", options.get("token")); // with JWT_KEY set, who you are in chat is the token's too
    }
    bridge.request("chat.join", join, (reply, error) -> {
      if (error != null) {
        say("! could not join " + room + ": " + error);
        bridge.close();
        return;
      }
      for (Object each : (List<?>) reply.get("history")) {
        Map<?, ?> message = (Map<?, ?>) each;
        say(message.get("from") + ": " + message.get("text"));
      }
      List<String> members = new ArrayList<>();
      ((List<?>) reply.get("members")).forEach(member -> members.add(String.valueOf(member)));
      say("* joined " + room + " as " + nick + ": " + String.join(", ", members));
      joined.countDown();
    });

    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "parley-ping");
      thread.setDaemon(true);
      return thread;
    });
    // The node closes a connection silent for HEARTBEAT_TIMEOUT_MS (60 s by default).
    long pingMillis = (long) (Double.parseDouble(options.getOrDefault("ping-seconds", "20")) * 1000);
    pinger.scheduleAtFixedRate(() -> bridge.write(Map.of("type", "ping")), pingMillis, pingMillis,
        TimeUnit.MILLISECONDS);

    if (!awaitEither(joined, bridge.closed, 10)) {
      say("! no answer to the join");
    }
    if (joined.getCount() > 0) {
      bridge.close();
      System.exit(1);
    }
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = stdin.readLine(); line != null && bridge.closed.getCount() > 0; line = stdin.readLine()) {
      String text = line.strip();
      if (!text.isEmpty()) {
        bridge.request("chat.send", Map.of("room", room, "text", text), (reply, error) -> {
          if (error != null) {
            say("! not sent: " + error);
          }
        });
      }
    }
    boolean dropped = bridge.closed.await(1, TimeUnit.SECONDS); // let the last answers arrive
    bridge.close();
    System.exit(dropped ? 1 : 0);
  }

  /** A plain or TLS socket; with --ca, trusting that certificate (PEM) alone. Host names are verified. */
  private static Socket connect(Map<String, String> options) throws Exception {
    String host = options.getOrDefault("host", "127.0.0.1");
    int port = Integer.parseInt(options.getOrDefault("port", "7000"));
    if (!options.containsKey("tls") && !options.containsKey("ca")) {
      return new Socket(host, port);
    }
    SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
    if (options.containsKey("ca")) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      try (InputStream pem = Files.newInputStream(Path.of(options.get("ca")))) {
        int i = 0;
        for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
          trusted.setCertificateEntry("ca-" + i++, certificate);
        }
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      factory = context.getSocketFactory();
    }
    SSLSocket socket = (SSLSocket) factory.createSocket(host, port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  private static boolean awaitEither(CountDownLatch a, CountDownLatch b, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (a.await(50, TimeUnit.MILLISECONDS) || b.getCount() == 0) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("not an option: " + args[i]);
      }
      String name = args[i].substring(2);
      boolean flag = name.equals("tls");
      options.put(name, flag ? "true" : args[++i]);
    }
    return options;
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** One TCP connection to the bridge: framed JSON out, a reader thread that hands frames to handlers. */
  static final class Bridge {
    private final Socket socket;
    private final DataOutputStream out;
    private final Map<String, BiConsumer<Map<?, ?>, String>> replies = new ConcurrentHashMap<>();
    private final Map<String, Consumer<Map<?, ?>>> handlers = new ConcurrentHashMap<>();
    private final List<String> pendingRegistrations = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);

    Bridge(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Hears {@code address}; the register frame goes out at {@link #flushRegistrations()}. */
    void register(String address, Consumer<Map<?, ?>> handler) {
      handlers.put(address, handler);
      pendingRegistrations.add(address);
    }

    void flushRegistrations() {
      pendingRegistrations.forEach(address -> write(Map.of("type", "register", "address", address)));
      pendingRegistrations.clear();
    }

    /** Sends a request; {@code onReply} gets the reply's body, or the error, on the reader thread. */
    void request(String address, Map<String, ?> body, BiConsumer<Map<?, ?>, String> onReply) {
      String replyAddress = "java-" + ids.incrementAndGet();
      replies.put(replyAddress, onReply);
      write(Map.of("type", "send", "address", address, "body", body, "replyAddress", replyAddress));
    }

    /**
     * A failed write (the node closed the connection) is not the end of the story: the node says why before it
     * closes, and the reader still has that frame to read, so the reader, not the writer, reports it.
     */
    synchronized void write(Map<String, ?> frame) {
      byte[] data = Json.write(frame).getBytes(StandardCharsets.UTF_8);
      try {
        out.writeInt(data.length);
        out.write(data);
        out.flush();
      } catch (IOException e) {
        // The reader thread ends on the same closed connection and counts `closed` down.
      }
    }

    void start() {
      Thread reader = new Thread(this::readForever, "parley-reader");
      reader.setDaemon(true);
      reader.start();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }

    private void readForever() {
      try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
        while (true) {
          byte[] data = new byte[in.readInt()];
          in.readFully(data);
          dispatch((Map<?, ?>) Json.read(new String(data, StandardCharsets.UTF_8)));
        }
      } catch (EOFException e) {
        // the node closed the connection
      } catch (IOException e) {
        if (!socket.isClosed()) {
          say("! connection lost: " + e.getMessage());
        }
      } finally {
        closed.countDown();
      }
    }

    private void dispatch(Map<?, ?> frame) {
      Object type = frame.get("type");
      Object address = frame.get("address");
      if ("message".equals(type) && replies.containsKey(address)) {
        replies.remove(address).accept((Map<?, ?>) frame.get("body"), null);
      } else if ("message".equals(type) && handlers.containsKey(address)) {
        handlers.get(address).accept((Map<?, ?>) frame.get("body"));
      } else if ("err".equals(type)) {
        // A request the chat service refused answers its reply address, with failureCode 400 and a message that
        // starts with Parley's error code ("nick_taken nick 'ada' is taken"). Other errors name no request:
        // a frame the bridge refused ("access_denied"), or the connection itself ("auth_required").
        String message = String.valueOf(frame.get("message"));
        BiConsumer<Map<?, ?>, String> onReply = address == null ? null : replies.remove(address);
        if (onReply != null) {
          onReply.accept(null, message);
        } else {
          say("! " + message);
          if (REFUSALS.contains(message)) {
            close();
          }
        }
      }
    }
  }

  /** Just enough JSON for the bridge's frames: objects, arrays, strings, numbers, booleans and null. */
  static final class Json {
    private final String text;
    private int at;

    private Json(String text) {
      this.text = text;
    }

    static Object read(String text) {
      Json json = new Json(text);
      Object value = json.value();
      json.space();
      if (json.at != text.length()) {
        throw json.error("trailing characters");
      }
      return value;
    }

    static String write(Object value) {
      StringBuilder out = new StringBuilder();
      write(value, out);
      return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
      if (value == null || value instanceof Boolean || value instanceof Number) {
        out.append(value);
      } else if (value instanceof Map<?, ?> map) {
        out.append('{');
        String comma = "";
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          out.append(comma);
          write(String.valueOf(entry.getKey()), out);
          out.append(':');
          write(entry.getValue(), out);
          comma = ",";
        }
        out.append('}');
      } else if (value instanceof List<?> list) {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          out.append(i == 0 ? "" : ",");
          write(list.get(i), out);
        }
        out.append(']');
      } else {
        out.append('"');
        for (char c : value.toString().toCharArray()) {
          switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
          }
        }
        out.append('"');
      }
    }

    private Object value() {
      space();
      if (at >= text.length()) {
        throw error("unexpected end");
      }
      char c = text.charAt(at);
      if (c == '{') {
        Map<String, Object> object = new LinkedHashMap<>();
        at++;
        if (peek('}')) {
          return object;
        }
        do {
          space();
          String key = string();
          expect(':');
          object.put(key, value());
        } while (peek(','));
        expect('}');
        return object;
      }
      if (c == '[') {
        List<Object> array = new ArrayList<>();
        at++;
        if (peek(']')) {
          return array;
        }
        do {
          array.add(value());
        } while (peek(','));
        expect(']');
        return array;
      }
      if (c == '"') {
        return string();
      }
      for (String word : new String[] {"true", "false", "null"}) {
        if (text.startsWith(word, at)) {
          at += word.length();
          return word.equals("null") ? null : Boolean.valueOf(word);
        }
      }
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
      if (start == at) {
        throw error("unexpected '" + c + "'");
      }
      String number = text.substring(start, at);
      return number.matches("-?\\d+") ? (Object) Long.valueOf(number) : (Object) Double.valueOf(number);
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (at >= text.length()) {
          throw error("unterminated string");
        }
        char c = text.charAt(at++);
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char escaped = text.charAt(at++);
        switch (escaped) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            at += 4;
          }
          default -> out.append(escaped); // " \ /
        }
      }
    }

    private void space() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private boolean peek(char c) {
      space();
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
    }

    private IllegalArgumentException error(String why) {
      return new IllegalArgumentException("bad JSON at " + at + ": " + why);
    }
  }
}
