package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.store.MessageLog;
import io.parley.store.Standing;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standings (roles, bans, mutes) of rooms, as this node's chat service checks sends against them: read from the
 * store once per room, then kept up to date by the changes every node announces on {@link Addresses#STANDINGS}, so
 * that a send costs no database read. Joins, reads and moderators' actions read the store itself. At most
 * {@code maxRooms} rooms are kept (the least recently used goes). Confined to the chat verticle's event loop.
 */
final class Standings {

  private final MessageLog store;
  private final EventBus bus;
  private final Map<String, Map<String, Standing>> rooms;
  private final Map<String, Future<Map<String, Standing>>> loading = new HashMap<>();
  /** Rooms whose standing changed while they were being read: read again. */
  private final java.util.Set<String> stale = new java.util.HashSet<>();

  Standings(MessageLog store, EventBus bus, int maxRooms) {
    this.store = store;
    this.bus = bus;
    this.rooms = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Map<String, Standing>> eldest) {
        return size() > maxRooms;
      }
    };
  }

  /** {@code nick}'s standing in {@code room} as this node knows it (read from the store the first time). */
  Future<Standing> cached(String room, String nick) {
    Map<String, Standing> known = rooms.get(room);
    if (known != null) {
      return Future.succeededFuture(known.getOrDefault(nick, Standing.NONE));
    }
    return load(room).map(all -> all.getOrDefault(nick, Standing.NONE));
  }

  /** {@code nick}'s standing in {@code room} as this node last knew it; null if it does not know the room. */
  Standing lastKnown(String room, String nick) {
    Map<String, Standing> known = rooms.get(room);
    return known == null ? null : known.getOrDefault(nick, Standing.NONE);
  }

  /** Every standing of {@code room}, read from the store now (and remembered). */
  Future<Map<String, Standing>> fresh(String room) {
    return store.standings(room).onSuccess(all -> {
      if (!loading.containsKey(room)) {
        rooms.put(room, new HashMap<>(all));
      }
    });
  }

  private Future<Map<String, Standing>> load(String room) {
    Future<Map<String, Standing>> inFlight = loading.get(room);
    if (inFlight != null) {
      return inFlight;
    }
    stale.remove(room);
    Future<Map<String, Standing>> read = store.standings(room).compose(all -> {
      loading.remove(room);
      if (stale.remove(room)) {
        return load(room); // a change came while reading: what was read may be from before it
      }
      rooms.put(room, new HashMap<>(all));
      return Future.succeededFuture(all);
    }, failure -> {
      loading.remove(room);
      return Future.failedFuture(failure);
    });
    if (!read.isComplete()) {
      loading.put(room, read);
    }
    return read;
  }

  /** Tells every node that {@code nick}'s standing in {@code room} is now {@code standing}. */
  void announce(String room, String nick, Standing standing) {
    JsonObject notice = new JsonObject().put("room", room).put("nick", nick).put("standing", standing.toJson());
    changed(notice); // here at once, before the room event goes out; the others get it ahead of the event too
    bus.publish(Addresses.STANDINGS, notice);
  }

  /** A change announced by a node (this one included). */
  void changed(JsonObject notice) {
    String room = notice.getString("room");
    if (loading.containsKey(room)) {
      stale.add(room);
    }
    Map<String, Standing> known = rooms.get(room);
    if (known != null) {
      Standing standing = Standing.fromJson(notice.getJsonObject("standing"));
      if (standing.isEmpty()) {
        known.remove(notice.getString("nick"));
      } else {
        known.put(notice.getString("nick"), standing);
      }
    }
  }
}
