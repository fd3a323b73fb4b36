package io.parley.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * A chat client for {@link PartitionTest} that records everything: each send (cid, room, text) and each attempt at it,
 * what answered each attempt (its own {@code message} echo, or an {@code error} code), every {@code message} it
 * received (live, in a {@code joined} snapshot), and every join. It behaves as a careful real client: a send answered
 * {@code unavailable} is sent again with the same {@code cid} (backing off from 0.5 s to 4 s) until it is
 * acknowledged; a send that got no answer at all is sent again after {@link #SILENCE_MS}; a send answered with any
 * other error is given up (so the test can check that it was not stored). A closed socket is reconnected and every
 * room resumed with {@code since} and {@code epoch}. Confined to its own Vert.x context; the test reads its records
 * once it is quiet.
 */
final class PartitionClient {

  static final long SILENCE_MS = 12_000;
  private static final long RETRY_FIRST_MS = 500;
  private static final long RETRY_MAX_MS = 4_000;

  /** One try at a send; {@code answer} is {@code "ack"}, an error code, or null (none yet). */
  static final class Attempt {
    final int n;
    final long sentAt;
    volatile String answer;
    volatile String why; // an error's message: which part of the server refused
    volatile long answeredAt;

    Attempt(int n, long sentAt) {
      this.n = n;
      this.sentAt = sentAt;
    }
  }

  static final class Send {
    final String cid;
    final String room;
    final String text;
    final int node; // the node the client was on at its first attempt
    final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
    volatile Long ackId;
    volatile long ackAt;
    volatile String ackVia; // live, or the snapshot of a join
    volatile boolean abandoned; // answered with an error we do not retry
    volatile long retryAt; // 0: no retry due
    volatile Long conflictingAckId; // a second echo with another id

    Send(String cid, String room, String text, int node) {
      this.cid = cid;
      this.room = room;
      this.text = text;
      this.node = node;
    }

    boolean pending() {
      return ackId == null && !abandoned;
    }

    List<String> errorCodes() {
      synchronized (attempts) {
        return attempts.stream().map(a -> a.answer).filter(a -> a != null && !"ack".equals(a)).toList();
      }
    }
  }

  record Received(String room, long id, String from, String cid, String text, long at, String via) {
  }

  record Join(String room, Long since, String sentEpoch, String epoch, Boolean recovered, long lastId, List<Long> ids,
      long sentAt, long at, boolean resume, int node) {
  }

  final String nick;
  final List<String> rooms;
  final Map<String, Send> sends = new ConcurrentHashMap<>();
  final List<Send> sendOrder = Collections.synchronizedList(new ArrayList<>());
  final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  final List<Join> joins = Collections.synchronizedList(new ArrayList<>());
  final Map<String, Long> baseline = new ConcurrentHashMap<>(); // lastId at the first join of each room
  final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
  final Map<String, String> epochs = new ConcurrentHashMap<>();
  final Map<String, Integer> otherErrors = new ConcurrentHashMap<>(); // errors that answer no send
  final AtomicInteger retries = new AtomicInteger();
  final AtomicInteger silentResends = new AtomicInteger();
  final AtomicInteger reconnects = new AtomicInteger();

  private final Vertx vertx;
  private final Context context;
  private final WebSocketClient client;
  private final IntFunction<String> hostOf;
  private final int port;
  private final LongSupplier clock;
  private final Map<String, Promise<JsonObject>> requests = new HashMap<>();
  private volatile int node;
  private volatile long connectedAt; // when the current socket opened, on the test's clock
  private WebSocket socket;
  private boolean welcomed;
  private final Map<String, Boolean> joined = new HashMap<>();
  private final Map<String, JsonObject> joinsInFlight = new HashMap<>(); // room -> the join frame sent, with its time
  private boolean resuming; // joins of the current connection are resumes
  private boolean closing;
  private volatile boolean sending;
  private int seq;
  private int refs;
  private Promise<Void> ready;

  PartitionClient(Vertx vertx, String nick, int node, List<String> rooms, IntFunction<String> hostOf, int port,
      LongSupplier clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 * 1024 * 1024)
        .setMaxFrameSize(64 * 1024 * 1024).setConnectTimeout(2000));
    this.nick = nick;
    this.node = node;
    this.rooms = rooms;
    this.hostOf = hostOf;
    this.port = port;
    this.clock = clock;
  }

  int node() {
    return node;
  }

  /** Connects, says hello, joins every room; completes once every room is joined. */
  Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> {
      ready = started;
      connect();
      vertx.setPeriodic(250, id -> retryDue());
    });
    return started.future();
  }

  /** Sends one new message every {@code everyMs}, over the rooms in turn, from {@code offsetMs} on. */
  void sendEvery(long everyMs, long offsetMs) {
    context.runOnContext(v -> {
      sending = true;
      vertx.setTimer(Math.max(1, offsetMs), t -> vertx.setPeriodic(everyMs, id -> {
        if (sending) {
          sendNext();
        } else {
          vertx.cancelTimer(id);
        }
      }));
    });
  }

  void stopSending() {
    sending = false;
  }

  /** Sends that are still to be acknowledged and will be tried again. */
  long pendingCount() {
    return sends.values().stream().filter(Send::pending).count();
  }

  /**
   * Whether this client's last {@code count} answered attempts of sends first made on {@code node}, sent at or after
   * {@code since}, were all acknowledged (true for a client whose sends go to another node).
   */
  /**
   * Whether this client came back from a partition of {@code node}: on that node, reconnected since {@code healAt}
   * (a node that rejoins its cluster closes its clients: acknowledgements before that close say nothing of what
   * follows it), acknowledged again since then as {@link #acknowledgesAgain} says, and no answer but an
   * acknowledgement for {@code steadyMs}, nor an attempt unanswered for as long (a rejoined node may still refuse for
   * a few seconds after its first acknowledgements); elsewhere, {@link #acknowledgesAgain} alone.
   */
  boolean recoveredFrom(int node, long healAt, int count, long steadyMs) {
    if (this.node != node) {
      return acknowledgesAgain(node, healAt, count);
    }
    long since = connectedAt;
    long steadySince = clock.getAsLong() - steadyMs;
    if (since < healAt || since > steadySince || !acknowledgesAgain(node, since, count)) {
      return false;
    }
    synchronized (sendOrder) {
      for (Send send : sendOrder) {
        if (send.node == node) {
          synchronized (send.attempts) {
            // refused lately, or its latest attempt unanswered for as long (a request the node lets time out is
            // refused later; an acknowledgement is recorded on the latest attempt only)
            Attempt last = send.attempts.isEmpty() ? null : send.attempts.get(send.attempts.size() - 1);
            if (last != null && last.answer == null && last.sentAt >= since && last.sentAt <= steadySince
                || send.attempts.stream().anyMatch(a -> a.answer != null && !"ack".equals(a.answer)
                    && a.answeredAt >= steadySince)) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  boolean acknowledgesAgain(int node, long since, int count) {
    List<Attempt> answered = new ArrayList<>();
    boolean any = false;
    synchronized (sendOrder) {
      for (Send send : sendOrder) {
        if (send.node != node) {
          continue;
        }
        any = true;
        synchronized (send.attempts) {
          send.attempts.stream().filter(a -> a.sentAt >= since && a.answer != null).forEach(answered::add);
        }
      }
    }
    if (!any) {
      return true;
    }
    answered.sort(java.util.Comparator.comparingLong(a -> a.sentAt));
    int n = answered.size();
    return n >= count && answered.subList(n - count, n).stream().allMatch(a -> "ack".equals(a.answer));
  }

  /**
   * Resumes every room with {@code join} + {@code since} (the last id seen there) + {@code epoch}: on a new
   * connection to {@code toNode} if {@code reconnect}, else on this one. Completes once every room answered.
   */
  Future<Void> resume(boolean reconnect, int toNode) {
    Promise<Void> resumed = Promise.promise();
    context.runOnContext(v -> {
      ready = resumed;
      if (reconnect) {
        closing = true;
        node = toNode;
        WebSocket old = socket;
        socket = null;
        (old == null ? Future.succeededFuture() : old.close()).onComplete(x -> {
          closing = false;
          connect();
        });
      } else {
        resuming = true;
        joined.replaceAll((room, was) -> false);
        rooms.forEach(this::join);
      }
    });
    return resumed.future();
  }

  /** Every message of {@code room}, oldest first, paging back with {@code history} from the newest. */
  Future<JsonObject> fullHistory(String room) {
    Promise<JsonObject> done = Promise.promise();
    context.runOnContext(v -> pageBack(room, null, new ArrayList<>(), -1, done));
    return done.future();
  }

  private void pageBack(String room, Long before, List<JsonObject> older, long lastId, Promise<JsonObject> done) {
    JsonObject frame = new JsonObject().put("type", "history").put("room", room).put("limit", 1000);
    if (before != null) {
      frame.put("before", before);
    }
    request(frame).onFailure(done::fail).onSuccess(page -> {
      JsonArray messages = page.getJsonArray("messages", new JsonArray());
      long newest = lastId < 0 ? page.getLong("lastId", 0L) : lastId;
      List<JsonObject> all = new ArrayList<>();
      messages.forEach(m -> all.add((JsonObject) m));
      all.addAll(older);
      if (messages.isEmpty() || messages.getJsonObject(0).getLong("id") <= 1) {
        done.complete(new JsonObject().put("lastId", newest).put("messages", new JsonArray(new ArrayList<>(all))));
      } else {
        pageBack(room, messages.getJsonObject(0).getLong("id"), all, newest, done);
      }
    });
  }

  Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> {
      sending = false;
      closing = true;
      (socket == null ? Future.succeededFuture() : socket.close()).eventually(client::close)
          .onComplete(x -> closed.complete());
    });
    return closed.future();
  }

  private void connect() {
    welcomed = false;
    joined.clear();
    client.connect(new WebSocketConnectOptions().setHost(hostOf.apply(node)).setPort(port).setURI("/ws")
        .setAllowOriginHeader(false)).onComplete(connected -> {
          if (connected.failed()) {
            vertx.setTimer(500, t -> connect());
            return;
          }
          WebSocket ws = connected.result();
          socket = ws;
          connectedAt = clock.getAsLong();
          ws.textMessageHandler(text -> onFrame(new JsonObject(text)));
          ws.closeHandler(x -> {
            if (socket == ws && !closing) {
              socket = null;
              reconnects.incrementAndGet();
              vertx.setTimer(500, t -> connect());
            }
          });
          hello();
        });
  }

  private void hello() {
    write(new JsonObject().put("type", "hello").put("nick", nick).put("ref", "hello"));
  }

  private void join(String room) {
    JsonObject frame = new JsonObject().put("type", "join").put("room", room).put("ref", "join:" + room);
    if (epochs.containsKey(room)) {
      frame.put("since", lastSeen.getOrDefault(room, 0L)).put("epoch", epochs.get(room));
    }
    joinsInFlight.put(room, frame.copy().put("sentAt", clock.getAsLong()));
    write(frame);
  }

  private void onFrame(JsonObject frame) {
    switch (String.valueOf(frame.getString("type"))) {
      case "welcome" -> {
        welcomed = true;
        resuming = !epochs.isEmpty();
        rooms.forEach(this::join);
        if (rooms.isEmpty() && ready != null) { // a reader: nothing to join
          Promise<Void> r = ready;
          ready = null;
          r.complete();
        }
      }
      case "joined" -> onJoined(frame);
      case "message" -> onMessage(frame, "live");
      case "history" -> answer(frame);
      case "error" -> onError(frame);
      default -> { } // presence, typing
    }
  }

  private void onJoined(JsonObject frame) {
    String room = frame.getString("room");
    JsonObject sent = joinsInFlight.remove(room);
    Long since = sent == null ? null : sent.getLong("since");
    String sentEpoch = sent == null ? null : sent.getString("epoch");
    boolean resume = since != null;
    List<Long> ids = new ArrayList<>();
    JsonArray history = frame.getJsonArray("history", new JsonArray());
    history.forEach(m -> ids.add(((JsonObject) m).getLong("id")));
    joins.add(new Join(room, since, sentEpoch, frame.getString("epoch"), frame.getBoolean("recovered"),
        frame.getLong("lastId", 0L), ids, sent == null ? -1 : sent.getLong("sentAt"), clock.getAsLong(), resume, node));
    baseline.putIfAbsent(room, frame.getLong("lastId", 0L));
    epochs.put(room, frame.getString("epoch"));
    history.forEach(m -> onMessage((JsonObject) m, resume ? "resume" : "join"));
    lastSeen.merge(room, frame.getLong("lastId", 0L), Math::max);
    joined.put(room, true);
    if (joined.size() == rooms.size() && joined.values().stream().allMatch(b -> b)) {
      resuming = false;
      // What the last connection left unacknowledged is sent again, with its cid.
      sends.values().stream().filter(s -> s.pending() && s.retryAt == 0 && lastAnswer(s) == null)
          .forEach(s -> attempt(s, true));
      if (ready != null) {
        Promise<Void> r = ready;
        ready = null;
        r.complete();
      }
    }
  }

  private void onMessage(JsonObject m, String via) {
    String room = m.getString("room");
    long id = m.getLong("id");
    received.add(new Received(room, id, m.getString("from"), m.getString("cid"), m.getString("text"),
        clock.getAsLong(), via));
    lastSeen.merge(room, id, Math::max);
    if (nick.equals(m.getString("from")) && m.getString("cid") != null) {
      Send send = sends.get(m.getString("cid"));
      if (send == null) {
        return;
      }
      if (send.ackId == null) {
        send.ackId = id;
        send.ackAt = clock.getAsLong();
        send.ackVia = via;
        send.retryAt = 0;
        Attempt last = lastAttempt(send);
        if (last != null && last.answer == null) {
          last.answer = "ack";
          last.answeredAt = send.ackAt;
        }
      } else if (send.ackId != id) {
        send.conflictingAckId = id;
      }
    }
  }

  private void onError(JsonObject frame) {
    String ref = frame.getString("ref", "");
    String code = frame.getString("code");
    int hash = ref.lastIndexOf('#');
    Send send = hash > 0 ? sends.get(ref.substring(0, hash)) : null;
    if (send != null) {
      int n = Integer.parseInt(ref.substring(hash + 1));
      Attempt attempt;
      synchronized (send.attempts) {
        attempt = n >= 1 && n <= send.attempts.size() ? send.attempts.get(n - 1) : null;
      }
      if (attempt != null && attempt.answer == null) {
        attempt.answer = code;
        attempt.why = frame.getString("message");
        attempt.answeredAt = clock.getAsLong();
      }
      if (send.ackId != null) {
        return;
      }
      if ("unavailable".equals(code)) {
        long backoff = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS << Math.min(10, Math.max(0, n - 1)));
        send.retryAt = clock.getAsLong() + backoff;
      } else {
        send.abandoned = true;
      }
      return;
    }
    if (ref.startsWith("hello")) {
      // nick_taken: our previous connection, until its node lets the nick go; unavailable: a node without quorum
      vertx.setTimer("nick_taken".equals(code) ? 200 : 500, t -> hello());
      otherErrors.merge("hello:" + code, 1, Integer::sum);
      return;
    }
    if (ref.startsWith("join:")) {
      String room = ref.substring(5);
      vertx.setTimer(500, t -> join(room)); // e.g. unavailable while the node has no quorum
      otherErrors.merge("join:" + code, 1, Integer::sum);
      return;
    }
    if (requests.containsKey(ref)) {
      requests.remove(ref).fail(code);
    }
    otherErrors.merge(code, 1, Integer::sum);
  }

  private void answer(JsonObject frame) {
    Promise<JsonObject> promise = requests.remove(frame.getString("ref", ""));
    if (promise != null) {
      promise.complete(frame);
    }
  }

  private Future<JsonObject> request(JsonObject frame) {
    String ref = "r" + (++refs);
    Promise<JsonObject> promise = Promise.promise();
    requests.put(ref, promise);
    vertx.setTimer(10_000, t -> {
      if (requests.remove(ref) != null) {
        promise.fail("no answer to " + frame.encode());
      }
    });
    write(frame.put("ref", ref));
    return promise.future();
  }

  private void sendNext() {
    if (!welcomed || joined.size() < rooms.size() || !joined.values().stream().allMatch(b -> b)) {
      return; // between connections: a real client would queue; this one just skips its turn
    }
    int n = ++seq;
    String room = rooms.get(n % rooms.size());
    String cid = nick + "-" + n;
    Send send = new Send(cid, room, nick + " #" + n + " in " + room, node);
    sends.put(cid, send);
    sendOrder.add(send);
    attempt(send, false);
  }

  private void retryDue() {
    long now = clock.getAsLong();
    if (!welcomed) {
      return;
    }
    for (Send send : sends.values()) {
      if (!send.pending()) {
        continue;
      }
      Attempt last = lastAttempt(send);
      if (send.retryAt != 0 && now >= send.retryAt) {
        send.retryAt = 0;
        retries.incrementAndGet();
        attempt(send, false);
      } else if (send.retryAt == 0 && last != null && last.answer == null && now - last.sentAt > SILENCE_MS) {
        silentResends.incrementAndGet();
        attempt(send, false);
      }
    }
  }

  private void attempt(Send send, boolean afterReconnect) {
    if (afterReconnect) {
      retries.incrementAndGet();
    }
    int n;
    synchronized (send.attempts) {
      n = send.attempts.size() + 1;
      send.attempts.add(new Attempt(n, clock.getAsLong()));
    }
    write(new JsonObject().put("type", "send").put("room", send.room).put("text", send.text).put("cid", send.cid)
        .put("ref", send.cid + "#" + n));
  }

  private static Attempt lastAttempt(Send send) {
    synchronized (send.attempts) {
      return send.attempts.isEmpty() ? null : send.attempts.get(send.attempts.size() - 1);
    }
  }

  private static String lastAnswer(Send send) {
    Attempt last = lastAttempt(send);
    return last == null ? null : last.answer;
  }

  private void write(JsonObject frame) {
    if (socket != null && !socket.isClosed()) {
      socket.writeTextMessage(frame.encode());
    }
  }
}
