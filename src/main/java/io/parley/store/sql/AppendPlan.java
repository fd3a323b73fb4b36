package io.parley.store.sql;

import io.parley.protocol.ChatMessage;
import io.parley.store.Appended;
import io.parley.store.CidStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one transaction of a group commit does, decided before it writes: each send of the batch either gets its
 * room's next id, or is a repeat of a cid the sender used in that room (stored before, or earlier in this very
 * batch), which takes no id. Pure: the store reads the rooms' last ids and the cids already stored (under the rooms'
 * locks), asks the plan, and writes what it says.
 */
public record AppendPlan(List<ChatMessage> inserts, List<Appended> results, Map<String, Long> lastIds,
    Map<String, Long> lastActive) {

  /** One send waiting to be committed. */
  public record Send(String room, String from, String text, String cid, long ts) {
    String cidKey() {
      return cid == null ? null : CidStore.key(room, from, cid);
    }
  }

  /**
   * Plans a batch: {@code lastIds}, each room's newest id before it (every room of the batch); {@code stored}, the
   * messages already stored for the batch's cids, by {@link CidStore#key}. Results are in the batch's order.
   */
  public static AppendPlan of(List<Send> batch, Map<String, Long> lastIds, Map<String, ChatMessage> stored) {
    Map<String, Long> next = new HashMap<>(lastIds);
    Map<String, Long> active = new LinkedHashMap<>();
    Map<String, ChatMessage> byCid = new HashMap<>(stored);
    List<ChatMessage> inserts = new ArrayList<>();
    List<Appended> results = new ArrayList<>(batch.size());
    for (Send send : batch) {
      ChatMessage first = send.cid() == null ? null : byCid.get(send.cidKey());
      if (first != null) {
        results.add(new Appended.Repeated(first.id(), first));
        continue;
      }
      Long last = next.get(send.room());
      if (last == null) {
        throw new IllegalArgumentException("no last id for room " + send.room());
      }
      ChatMessage message = new ChatMessage(send.room(), last + 1, send.from(), send.text(), send.ts(), send.cid());
      next.put(send.room(), message.id());
      active.merge(send.room(), send.ts(), Math::max);
      inserts.add(message);
      if (send.cid() != null) {
        byCid.put(send.cidKey(), message);
      }
      results.add(new Appended.Stored(message));
    }
    Map<String, Long> changed = new LinkedHashMap<>();
    active.keySet().forEach(room -> changed.put(room, next.get(room)));
    return new AppendPlan(inserts, results, changed, active);
  }
}
