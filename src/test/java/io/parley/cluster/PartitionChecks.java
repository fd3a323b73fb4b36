package io.parley.cluster;

import io.parley.cluster.PartitionClient.Attempt;
import io.parley.cluster.PartitionClient.Join;
import io.parley.cluster.PartitionClient.Received;
import io.parley.cluster.PartitionClient.Send;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checks of {@link PartitionTest}, from the clients' own records and the rooms' final history: figures for the
 * report and, for each check that does not hold, one line saying which and by how much. Times are milliseconds on
 * the test's clock.
 */
final class PartitionChecks {

  /** An acknowledgement later than this after its attempt counts as "not available" for that second. */
  static final long ACK_WITHIN_MS = 2_000;

  record Timeline(long loadAt, long cutAt, long healAt, Long wholeAt, long dbCutAt, long dbHealAt, long stopAt,
      long failureTimeoutMs, long graceMs, long recoveryBoundMs, int minority, List<Integer> majority,
      Long minorityNoticedAt, Long majorityNoticedAt) {

    /**
     * While the minority is cut off and knows it: from when it saw itself alone (plus a grace for requests already
     * in flight) to the heal; if it never did, from the failure timeout (the check then fails anyway).
     */
    long noQuorumFrom() {
      return (minorityNoticedAt != null ? minorityNoticedAt : cutAt + failureTimeoutMs) + graceMs;
    }

    /** How long a side may take to see the split: Hazelcast's suspicion, then its member-list round. */
    long noticeBoundMs() {
      return 3 * failureTimeoutMs;
    }
  }

  record ReadySample(int node, long at, int status, String body) {
  }

  private final List<PartitionClient> clients;
  private final Map<Integer, Map<String, JsonObject>> histories; // node -> room -> {lastId, messages}
  private final int reference; // the node whose history is the final one
  private final Timeline t;
  private final List<ReadySample> ready;
  private final List<String> failures = new ArrayList<>();
  private final JsonObject figures = new JsonObject();

  PartitionChecks(List<PartitionClient> clients, Map<Integer, Map<String, JsonObject>> histories, int reference,
      Timeline timeline, List<ReadySample> ready) {
    this.clients = clients;
    this.histories = histories;
    this.reference = reference;
    this.t = timeline;
    this.ready = ready;
  }

  List<String> failures() {
    return failures;
  }

  JsonObject figures() {
    return figures;
  }

  PartitionChecks run() {
    load();
    Map<String, TreeMap<Long, JsonObject>> history = finalHistory();
    duplicatedIds(history);      // (a)
    lost(history);               // (b)
    holes(history);              // (c)
    resumes(history);            // (d)
    errorAnswers(history);       // (e), (f)
    minorityAndMajority();       // (g)
    recovery();                  // (h)
    availability();
    return this;
  }

  private List<Send> sends() {
    List<Send> all = new ArrayList<>();
    clients.forEach(c -> {
      synchronized (c.sendOrder) {
        all.addAll(c.sendOrder);
      }
    });
    return all;
  }

  private static List<Attempt> attempts(Send send) {
    synchronized (send.attempts) {
      return new ArrayList<>(send.attempts);
    }
  }

  private void load() {
    List<Send> sends = sends();
    Map<String, Integer> errors = new TreeMap<>();
    int attempts = 0;
    for (Send send : sends) {
      for (Attempt a : attempts(send)) {
        attempts++;
        if (a.answer != null && !"ack".equals(a.answer)) {
          errors.merge(a.answer, 1, Integer::sum);
        }
      }
    }
    Map<String, Integer> other = new TreeMap<>();
    clients.forEach(c -> c.otherErrors.forEach((code, n) -> other.merge(code, n, Integer::sum)));
    figures.put("sent", sends.size()).put("attempts", attempts)
        .put("acknowledged", sends.stream().filter(s -> s.ackId != null).count())
        .put("errorsByCode", new JsonObject(new HashMap<>(errors)))
        .put("sendsWithAnError", sends.stream().filter(s -> !s.errorCodes().isEmpty()).count())
        .put("retried", clients.stream().mapToInt(c -> c.retries.get()).sum())
        .put("resentAfterSilence", clients.stream().mapToInt(c -> c.silentResends.get()).sum())
        .put("gaveUp", sends.stream().filter(s -> s.abandoned).count())
        .put("unacknowledgedAtEnd", sends.stream().filter(Send::pending).count())
        .put("reconnects", clients.stream().mapToInt(c -> c.reconnects.get()).sum())
        .put("otherErrors", new JsonObject(new HashMap<>(other)));
  }

  private Map<String, TreeMap<Long, JsonObject>> finalHistory() {
    Map<String, TreeMap<Long, JsonObject>> rooms = new TreeMap<>();
    histories.get(reference).forEach((room, page) -> {
      TreeMap<Long, JsonObject> byId = new TreeMap<>();
      page.getJsonArray("messages").forEach(m -> byId.put(((JsonObject) m).getLong("id"), (JsonObject) m));
      rooms.put(room, byId);
    });
    // Every node must tell the same history.
    int differing = 0;
    for (var entry : histories.entrySet()) {
      for (var room : entry.getValue().entrySet()) {
        if (!room.getValue().getJsonArray("messages").equals(histories.get(reference).get(room.getKey())
            .getJsonArray("messages"))) {
          differing++;
          failures.add("history of room " + room.getKey() + " read on node " + entry.getKey() + " differs from node "
              + reference + "'s: " + summary(room.getValue()) + " vs " + summary(histories.get(reference)
              .get(room.getKey())));
        }
      }
    }
    JsonObject lastIds = new JsonObject();
    rooms.forEach((room, byId) -> lastIds.put(room, histories.get(reference).get(room).getLong("lastId")));
    figures.put("lastIds", lastIds).put("historiesDifferingBetweenNodes", differing);
    return rooms;
  }

  private static String summary(JsonObject page) {
    JsonArray m = page.getJsonArray("messages");
    return m.size() + " messages, lastId " + page.getLong("lastId");
  }

  private static String key(String from, String cid) {
    return from + "/" + cid;
  }

  /** (a) no two different messages carry the same id in a room; and one message is stored under one id only. */
  private void duplicatedIds(Map<String, TreeMap<Long, JsonObject>> history) {
    Map<String, Map<Long, Set<String>>> messagesOfId = new HashMap<>();
    Map<String, Set<String>> idsOfMessage = new HashMap<>();
    java.util.function.BiConsumer<String, Object[]> see = (room, m) -> {
      long id = (Long) m[0];
      String k = key((String) m[1], (String) m[2]) + "|" + m[3];
      messagesOfId.computeIfAbsent(room, r -> new HashMap<>()).computeIfAbsent(id, i -> new HashSet<>()).add(k);
      if (m[2] != null) {
        idsOfMessage.computeIfAbsent(room + "|" + key((String) m[1], (String) m[2]), x -> new TreeSet<>())
            .add(Long.toString(id));
      }
    };
    for (PartitionClient c : clients) {
      synchronized (c.received) {
        for (Received r : c.received) {
          see.accept(r.room(), new Object[] {r.id(), r.from(), r.cid(), r.text()});
        }
      }
      for (Send s : c.sends.values()) {
        if (s.ackId != null) {
          see.accept(s.room, new Object[] {s.ackId, c.nick, s.cid, s.text});
        }
        if (s.conflictingAckId != null) {
          see.accept(s.room, new Object[] {s.conflictingAckId, c.nick, s.cid, s.text});
        }
      }
    }
    histories.values().forEach(rooms -> rooms.forEach((room, page) -> page.getJsonArray("messages").forEach(o -> {
      JsonObject m = (JsonObject) o;
      see.accept(room, new Object[] {m.getLong("id"), m.getString("from"), m.getString("cid"), m.getString("text")});
    })));
    long duplicated = 0;
    List<String> examples = new ArrayList<>();
    for (var room : messagesOfId.entrySet()) {
      for (var id : room.getValue().entrySet()) {
        if (id.getValue().size() > 1) {
          duplicated++;
          if (examples.size() < 5) {
            examples.add(room.getKey() + "#" + id.getKey() + " = " + id.getValue());
          }
        }
      }
    }
    long storedTwice = idsOfMessage.values().stream().filter(ids -> ids.size() > 1).count();
    idsOfMessage.entrySet().stream().filter(e -> e.getValue().size() > 1).limit(5)
        .forEach(e -> examples.add(e.getKey() + " under ids " + e.getValue()));
    figures.put("duplicatedIds", duplicated).put("storedTwice", storedTwice);
    if (duplicated > 0 || storedTwice > 0) {
      failures.add("(a) " + duplicated + " ids carry two different messages, " + storedTwice
          + " messages carry two ids; e.g. " + examples);
    }
  }

  /** (b) every acknowledged send is in the final history, with its id and text. */
  private void lost(Map<String, TreeMap<Long, JsonObject>> history) {
    long lost = 0;
    List<String> examples = new ArrayList<>();
    for (PartitionClient c : clients) {
      for (Send s : c.sends.values()) {
        if (s.ackId == null) {
          continue;
        }
        JsonObject stored = history.getOrDefault(s.room, new TreeMap<>()).get(s.ackId);
        if (stored == null || !c.nick.equals(stored.getString("from")) || !s.cid.equals(stored.getString("cid"))
            || !s.text.equals(stored.getString("text"))) {
          lost++;
          if (examples.size() < 5) {
            examples.add(s.cid + " acked as " + s.room + "#" + s.ackId + " (via " + s.ackVia + ", node " + s.node
                + ", at " + s.ackAt + " ms), history has " + (stored == null ? "nothing" : stored.encode()));
          }
        }
      }
    }
    figures.put("lost", lost);
    if (lost > 0) {
      failures.add("(b) " + lost + " acknowledged messages are not in the final history as acknowledged; e.g. "
          + examples);
    }
  }

  /** (c) the ids of each room's final history are exactly 1..lastId. */
  private void holes(Map<String, TreeMap<Long, JsonObject>> history) {
    long holes = 0;
    List<String> examples = new ArrayList<>();
    for (var room : history.entrySet()) {
      long lastId = histories.get(reference).get(room.getKey()).getLong("lastId");
      for (long id = 1; id <= lastId; id++) {
        if (!room.getValue().containsKey(id)) {
          holes++;
          if (examples.size() < 10) {
            examples.add(room.getKey() + "#" + id);
          }
        }
      }
      if (!room.getValue().isEmpty() && room.getValue().lastKey() > lastId) {
        failures.add("(c) room " + room.getKey() + " has ids above its lastId " + lastId);
      }
    }
    figures.put("holes", holes);
    if (holes > 0) {
      failures.add("(c) " + holes + " holes in the final history; e.g. " + examples);
    }
  }

  /**
   * (d) every resume ({@code join} with {@code since} and {@code epoch}) got exactly the ids after {@code since} up to
   * the {@code lastId} it was answered with, each once, recovered; and every client ends with every id of each room
   * after its first join, each once.
   */
  private void resumes(Map<String, TreeMap<Long, JsonObject>> history) {
    long resumes = 0;
    long gaps = 0;
    long extra = 0;
    long notRecovered = 0;
    long epochChanged = 0;
    List<String> examples = new ArrayList<>();
    for (PartitionClient c : clients) {
      List<Join> joins;
      synchronized (c.joins) {
        joins = new ArrayList<>(c.joins);
      }
      for (Join j : joins) {
        if (!j.resume()) {
          continue;
        }
        resumes++;
        Set<Long> expected = new TreeSet<>();
        for (long id = j.since() + 1; id <= j.lastId(); id++) {
          expected.add(id);
        }
        List<Long> got = j.ids();
        long missing = expected.stream().filter(id -> !got.contains(id)).count();
        long unexpected = got.size() - (expected.size() - missing);
        gaps += missing;
        extra += unexpected;
        if (!Boolean.TRUE.equals(j.recovered())) {
          notRecovered++;
        }
        if (!j.epoch().equals(j.sentEpoch())) {
          epochChanged++;
        }
        if ((missing > 0 || unexpected > 0 || !Boolean.TRUE.equals(j.recovered())) && examples.size() < 5) {
          examples.add(c.nick + " on node " + j.node() + " " + j.room() + " since " + j.since() + " -> lastId "
              + j.lastId() + ", " + got.size() + " ids (" + missing + " missing, " + unexpected + " extra), recovered "
              + j.recovered());
        }
      }
    }
    // Everything each client saw of a room, live or in resumes, from its first join to the end. A second copy is a
    // duplicate unless it is in the snapshot of a resume whose join was already on its way when the first arrived
    // (the client had not told the server it had it: the protocol's merge rule drops it on the client).
    long deliveryGaps = 0;
    long deliveredTwice = 0;
    List<String> gapExamples = new ArrayList<>();
    for (PartitionClient c : clients) {
      List<Join> joins;
      synchronized (c.joins) {
        joins = new ArrayList<>(c.joins);
      }
      Map<String, Map<Long, Long>> firstAt = new HashMap<>(); // room -> id -> when first received
      synchronized (c.received) {
        for (Received r : c.received) {
          if ("join".equals(r.via())) {
            continue; // a first join's recent history: before the baseline
          }
          Long first = firstAt.computeIfAbsent(r.room(), x -> new HashMap<>()).putIfAbsent(r.id(), r.at());
          if (first != null && !("resume".equals(r.via()) && inFlightOverlap(joins, r, first))) {
            deliveredTwice++;
          }
        }
      }
      for (String room : c.rooms) {
        long from = c.baseline.getOrDefault(room, 0L);
        long to = histories.get(reference).get(room).getLong("lastId");
        Map<Long, Long> ids = firstAt.getOrDefault(room, Map.of());
        for (long id = from + 1; id <= to; id++) {
          if (!ids.containsKey(id)) {
            deliveryGaps++;
            if (gapExamples.size() < 8) {
              gapExamples.add(c.nick + " (node " + c.node() + ") " + room + "#" + id);
            }
          }
        }
      }
    }
    figures.put("resumes", resumes).put("resumedGaps", gaps).put("resumedExtra", extra)
        .put("resumesNotRecovered", notRecovered).put("resumesWithAnotherEpoch", epochChanged)
        .put("deliveryGaps", deliveryGaps).put("deliveredTwice", deliveredTwice);
    if (gaps > 0 || extra > 0 || notRecovered > 0 || epochChanged > 0) {
      failures.add("(d) resumes: " + gaps + " ids missing, " + extra + " extra, " + notRecovered + " not recovered, "
          + epochChanged + " with another epoch, of " + resumes + "; e.g. " + examples);
    }
    if (deliveryGaps > 0 || deliveredTwice > 0) {
      failures.add("(d) after resuming, clients still miss " + deliveryGaps + " ids (" + deliveredTwice
          + " delivered twice); e.g. " + gapExamples);
    }
  }

  /** Whether {@code copy} (from a resume's snapshot) repeats a message first received while that join was in flight. */
  private static boolean inFlightOverlap(List<Join> joins, Received copy, long firstAt) {
    return joins.stream().anyMatch(j -> j.resume() && j.room().equals(copy.room()) && j.ids().contains(copy.id())
        && copy.at() >= j.at() && copy.at() - j.at() < 1000 && firstAt >= j.sentAt());
  }

  /**
   * (e) a send answered {@code unavailable} may be stored, but then the retry's acknowledgement names the stored id;
   * (f) a send answered with any other error is not stored.
   */
  private void errorAnswers(Map<String, TreeMap<Long, JsonObject>> history) {
    Map<String, List<Long>> storedIds = new HashMap<>();
    history.forEach((room, byId) -> byId.values().forEach(m -> {
      if (m.getString("cid") != null) {
        storedIds.computeIfAbsent(room + "|" + key(m.getString("from"), m.getString("cid")), x -> new ArrayList<>())
            .add(m.getLong("id"));
      }
    }));
    long unavailableStored = 0;
    long unavailableNotStored = 0;
    long unavailableBadAck = 0;
    Map<String, Integer> storedDespite = new TreeMap<>();
    Map<String, Integer> notStoredAfter = new TreeMap<>();
    List<String> examples = new ArrayList<>();
    for (PartitionClient c : clients) {
      for (Send s : c.sends.values()) {
        List<String> codes = s.errorCodes();
        if (codes.isEmpty()) {
          continue;
        }
        List<Long> ids = storedIds.getOrDefault(s.room + "|" + key(c.nick, s.cid), List.of());
        boolean wasUnavailable = codes.contains("unavailable");
        if (wasUnavailable) {
          if (ids.isEmpty()) {
            unavailableNotStored++;
          } else {
            unavailableStored++;
            if (s.ackId == null || ids.size() != 1 || !ids.get(0).equals(s.ackId)) {
              unavailableBadAck++;
              if (examples.size() < 5) {
                examples.add("(e) " + s.cid + " answered " + codes + ", stored as " + ids + ", acknowledged "
                    + s.ackId);
              }
            }
          }
        }
        for (String code : new HashSet<>(codes)) {
          if ("unavailable".equals(code)) {
            continue;
          }
          if (ids.isEmpty()) {
            notStoredAfter.merge(code, 1, Integer::sum);
          } else if (!wasUnavailable) {
            storedDespite.merge(code, 1, Integer::sum);
            if (examples.size() < 10) {
              Attempt first = attempts(s).get(0);
              examples.add("(f) " + s.cid + " (node " + s.node + ", sent at " + first.sentAt + " ms) answered " + codes
                  + " at " + attempts(s).stream().filter(a -> code.equals(a.answer)).findFirst()
                  .map(a -> a.answeredAt).orElse(-1L) + " ms, yet stored as " + s.room + "#" + ids + (s.ackId != null
                  ? " and echoed to its sender at " + s.ackAt + " ms (" + s.ackVia + ")" : ""));
            }
          }
        }
      }
    }
    figures.put("unavailableStored", unavailableStored).put("unavailableNotStored", unavailableNotStored)
        .put("unavailableRetryWithAnotherId", unavailableBadAck)
        .put("storedDespiteErrorByCode", new JsonObject(new HashMap<>(storedDespite)))
        .put("notStoredAfterErrorByCode", new JsonObject(new HashMap<>(notStoredAfter)));
    if (unavailableBadAck > 0) {
      failures.add("(e) " + unavailableBadAck + " sends answered unavailable were stored but their retry did not "
          + "return the stored id; e.g. " + examples);
    }
    int despite = storedDespite.values().stream().mapToInt(Integer::intValue).sum();
    if (despite > 0) {
      failures.add("(f) " + despite + " sends answered with an error other than unavailable were stored all the same "
          + storedDespite + "; e.g. " + examples);
    }
  }

  /**
   * (g) after the failure timeout and until the heal, the minority answers every send {@code unavailable} and its
   * {@code /ready} 503 NO_QUORUM; the majority acknowledges every send and answers 200.
   */
  private void minorityAndMajority() {
    long from = t.noQuorumFrom();
    long to = t.healAt();
    JsonObject g = new JsonObject().put("windowMs", new JsonArray().add(from).add(to));
    for (int node = 1; node <= 3; node++) {
      int n = node;
      Map<String, Integer> answers = new TreeMap<>();
      Map<String, Integer> why = new TreeMap<>();
      long latest = 0;
      for (Send s : sends()) {
        if (s.node != n) {
          continue;
        }
        for (Attempt a : attempts(s)) {
          if (a.sentAt >= from && a.sentAt < to) {
            answers.merge(a.answer == null ? "none" : a.answer, 1, Integer::sum);
            if (a.why != null) {
              why.merge(a.why, 1, Integer::sum);
            }
            if ("ack".equals(a.answer)) {
              latest = Math.max(latest, a.answeredAt - a.sentAt);
            }
          }
        }
      }
      Map<String, Integer> readiness = new TreeMap<>();
      ready.stream().filter(r -> r.node() == n && r.at() >= from && r.at() < to).forEach(r -> readiness.merge(
          r.status() + (r.body().contains("NO_QUORUM") ? " NO_QUORUM" : ""), 1, Integer::sum));
      g.put("node" + n, new JsonObject().put("answers", new JsonObject(new HashMap<>(answers)))
          .put("slowestAckMs", latest).put("why", new JsonObject(new HashMap<>(why))).put("ready", new JsonObject(new HashMap<>(readiness))));
      int total = answers.values().stream().mapToInt(Integer::intValue).sum();
      if (n == t.minority()) {
        int unavailable = answers.getOrDefault("unavailable", 0);
        if (total == 0 || unavailable != total) {
          failures.add("(g) the minority (node " + n + ") answered " + answers + " to the " + total
              + " attempts sent between " + from + " and " + to + " ms; all should be unavailable");
        }
        int noQuorum = readiness.getOrDefault("503 NO_QUORUM", 0);
        int samples = readiness.values().stream().mapToInt(Integer::intValue).sum();
        if (samples == 0 || noQuorum != samples) {
          failures.add("(g) the minority's /ready answered " + readiness + " meanwhile; all should be 503 NO_QUORUM");
        }
      } else {
        int acks = answers.getOrDefault("ack", 0);
        if (total == 0 || acks != total) {
          failures.add("(g) majority node " + n + " answered " + answers + " to the " + total + " attempts sent between "
              + from + " and " + to + " ms; all should be acknowledged");
        }
        int ok = readiness.getOrDefault("200", 0);
        if (ok != readiness.values().stream().mapToInt(Integer::intValue).sum()) {
          failures.add("(g) majority node " + n + "'s /ready answered " + readiness + " meanwhile; all should be 200");
        }
      }
    }
    figures.put("whileCutOff", g);
    figures.put("minorityNoticedAfterS", t.minorityNoticedAt() == null ? null
        : (t.minorityNoticedAt() - t.cutAt()) / 1000.0);
    figures.put("majorityNoticedAfterS", t.majorityNoticedAt() == null ? null
        : (t.majorityNoticedAt() - t.cutAt()) / 1000.0);
    if (t.minorityNoticedAt() == null || t.minorityNoticedAt() - t.cutAt() > t.noticeBoundMs()) {
      failures.add("(g) the minority did not see itself alone within " + t.noticeBoundMs() / 1000 + " s of the cut");
    }
    if (t.majorityNoticedAt() == null || t.majorityNoticedAt() - t.cutAt() > t.noticeBoundMs()) {
      failures.add("(g) the majority did not see the minority gone within " + t.noticeBoundMs() / 1000 + " s");
    }
  }

  /** (h) after the heal the minority acknowledges again, every send from then on, within the bound. */
  private void recovery() {
    List<Attempt> after = new ArrayList<>();
    for (Send s : sends()) {
      if (s.node == t.minority()) {
        // An attempt answered once the database fault had begun measures that fault (checked apart), not recovery.
        attempts(s).stream().filter(a -> a.sentAt >= t.healAt() && a.sentAt < t.dbCutAt())
            .filter(a -> a.answer == null || a.answeredAt < t.dbCutAt()).forEach(after::add);
      }
    }
    after.sort(java.util.Comparator.comparingLong(a -> a.sentAt));
    Long since = null;
    for (Attempt a : after) {
      if ("ack".equals(a.answer)) {
        since = since == null ? a.sentAt : since;
      } else {
        since = null;
      }
    }
    Double seconds = since == null ? null : (since - t.healAt()) / 1000.0;
    figures.put("minorityAcknowledgesAgainAfterS", seconds)
        .put("clusterWholeAfterHealS", t.wholeAt() == null ? null : (t.wholeAt() - t.healAt()) / 1000.0);
    if (seconds == null || since - t.healAt() > t.recoveryBoundMs()) {
      failures.add("(h) after the heal, node " + t.minority() + " acknowledged every send from "
          + (seconds == null ? "never (before the database fault)" : seconds + " s on")
          + "; the bound is " + t.recoveryBoundMs() / 1000 + " s");
    }
    if (t.wholeAt() == null) {
      failures.add("(h) the cluster was not whole again (3 members on every node) within " + t.recoveryBoundMs() / 1000
          + " s of the heal");
    }
  }

  /** Seconds each node was unavailable as its clients saw it: seconds in which no attempt was acknowledged quickly. */
  private void availability() {
    JsonObject seconds = new JsonObject();
    for (int node = 1; node <= 3; node++) {
      Map<Long, Boolean> okBySecond = new TreeMap<>();
      for (Send s : sends()) {
        if (s.node != node) {
          continue;
        }
        for (Attempt a : attempts(s)) {
          boolean ok = "ack".equals(a.answer) && a.answeredAt - a.sentAt <= ACK_WITHIN_MS;
          okBySecond.merge(a.sentAt / 1000, ok, Boolean::logicalOr);
        }
      }
      long partition = 0;
      long db = 0;
      long other = 0;
      JsonArray spans = new JsonArray();
      Long spanStart = null;
      long previous = Long.MIN_VALUE;
      for (var e : okBySecond.entrySet()) {
        if (e.getValue()) {
          continue;
        }
        long s = e.getKey() * 1000;
        if (s + 1000 > t.cutAt() && s < t.healAt() + t.recoveryBoundMs() && s < t.dbCutAt()) {
          partition++;
        } else if (s + 1000 > t.dbCutAt() && s < t.stopAt()) {
          db++;
        } else {
          other++;
        }
        if (spanStart == null || e.getKey() != previous + 1) {
          if (spanStart != null) {
            spans.add(spanStart + "-" + (previous + 1));
          }
          spanStart = e.getKey();
        }
        previous = e.getKey();
      }
      if (spanStart != null) {
        spans.add(spanStart + "-" + (previous + 1));
      }
      seconds.put("node" + node, new JsonObject().put("partition", partition).put("databaseCut", db)
          .put("otherwise", other).put("spansS", spans));
    }
    figures.put("secondsUnavailable", seconds);
  }
}
