package io.parley.store;

import io.parley.protocol.ChatMessage;
import io.vertx.core.Future;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The cid store of a node that runs alone. Confined to the chat verticle's event loop. */
public final class MemoryCidStore implements CidStore {

  /** A claim: its message once stored (null while in flight), and when it expires (epoch ms). */
  private static final class Entry {
    ChatMessage message;
    final long expires;

    Entry(long expires) {
      this.expires = expires;
    }
  }

  /** In order of expiry (one window for all), so the expired entries are at the front. */
  private final Map<String, Entry> claims = new LinkedHashMap<>();

  @Override
  public Future<Claim> claim(String room, String nick, String cid, long windowMs) {
    long now = System.currentTimeMillis();
    sweep(now);
    String key = CidStore.key(room, nick, cid);
    Entry entry = claims.get(key);
    if (entry != null) {
      return Future.succeededFuture(entry.message == null ? IN_FLIGHT : new Claim.Stored(entry.message.id(), entry.message));
    }
    claims.put(key, new Entry(now + windowMs));
    return Future.succeededFuture(FRESH);
  }

  @Override
  public Future<Void> record(String nick, ChatMessage message, long windowMs) {
    Entry entry = claims.get(CidStore.key(message.room(), nick, message.cid()));
    if (entry != null) {
      entry.message = message; // the window still runs from the claim
    }
    return Future.succeededFuture();
  }

  /** Alone, a store cannot fail halfway: nothing was stored. */
  @Override
  public Future<Claim> settle(String room, String nick, String cid, long windowMs) {
    claims.remove(CidStore.key(room, nick, cid));
    return Future.succeededFuture(FRESH);
  }

  @Override
  public Future<Integer> settleClaimsOf(String nodeId, long windowMs) {
    return Future.succeededFuture(0); // alone, there is no other node to die
  }

  private void sweep(long now) {
    Iterator<Entry> entries = claims.values().iterator();
    while (entries.hasNext() && entries.next().expires <= now) {
      entries.remove();
    }
  }
}
