package io.parley.chat;

import io.parley.bus.Caller;
import io.parley.chat.ChatConnections.ChatConnection;
import io.parley.chat.RoomRoles.Role;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.MessageLog;
import io.parley.store.RoomChange;
import io.parley.store.RoomRecord;
import io.parley.store.RoomChanges;
import io.parley.store.Standing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a room, each stored as a room event under the room's next id and published like a message, so that a
 * client that resumes gets them in order with the messages: a member's (role, kick, ban, unban, mute, checked by
 * {@link RoomRoles}) and a message's (edit, delete, react, judged in the store's transaction by
 * {@link RoomChanges}). A kicked or banned user leaves the room at once on every node, as a removed one does.
 */
final class Moderation {

  private static final Logger log = LoggerFactory.getLogger(Moderation.class);

  private final MessageLog store;
  private final RoomPermissions access;
  private final Membership membership;
  private final RoomEvents events;
  private final UserEvents users;
  private final Standings standings;
  private final long maxEditAgeMs;
  private final int maxEmojiPerMessage;
  private final int maxReactionsPerUser;

  Moderation(MessageLog store, RoomPermissions access, Membership membership, RoomEvents events, UserEvents users,
      Standings standings, ParleyConfig config) {
    this.store = store;
    this.access = access;
    this.membership = membership;
    this.events = events;
    this.users = users;
    this.standings = standings;
    this.maxEditAgeMs = config.get(Settings.MAX_EDIT_AGE_S) * 1000L;
    this.maxEmojiPerMessage = config.get(Settings.REACTIONS_PER_MESSAGE_MAX);
    this.maxReactionsPerUser = config.get(Settings.REACTIONS_PER_USER_MAX);
  }

  /** {@code role}, {@code kick}, {@code ban}, {@code unban}, {@code mute}: answers {@code {room, id}}. */
  Future<JsonObject> member(ChatConnection connection, Caller caller, ClientFrame.Moderate frame) {
    String by = connection.as(caller.nick());
    if (by.equals(frame.nick())) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "a " + frame.type() + " is about someone else");
    }
    return access.existing(frame.room(), by).compose(record -> member(record, by, false, frame));
  }

  /**
   * A member change by {@code by}; an {@code operator} (the server API, for the backend) is past the rules of
   * {@link RoomRoles}: the backend decides who may do what.
   */
  Future<JsonObject> member(RoomRecord record, String by, boolean operator, ClientFrame.Moderate frame) {
    RoomChange.Kind kind = RoomChange.Kind.fromCode(frame.type());
    return standings.fresh(frame.room()).compose(all -> {
      if (!operator) {
        Role actor = RoomRoles.of(record, by, all.get(by));
        Role target = RoomRoles.of(record, frame.nick(), all.get(frame.nick()));
        RoomRoles.requireMayChange(kind, actor, target);
      }
      long now = System.currentTimeMillis();
      RoomChange change = kind == RoomChange.Kind.ROLE ? RoomChange.role(by, now, frame.nick(), frame.role())
          : RoomChange.member(kind, by, now, frame.nick(), frame.seconds());
      return store.change(frame.room(), change).compose(changed -> {
        // The standing first: a member who sees the event may act on it at once (a muted one's send is refused).
        if (kind != RoomChange.Kind.KICK) {
          standings.announce(frame.room(), frame.nick(), RoomChanges.standing(all.get(frame.nick()), change));
        }
        events.message(changed.event());
        log.info("{} in {}: {} by {}", kind.code(), frame.room(), frame.nick(), by);
        Future<Void> out = Future.succeededFuture();
        if (kind == RoomChange.Kind.KICK || kind == RoomChange.Kind.BAN) {
          out = membership.depart(frame.room(), frame.nick(), null).onSuccess(left -> users.publish(frame.nick(), null,
              removed(changed.event(), kind)));
        }
        return out.map(left -> done(changed.event()));
      });
    });
  }

  /** Sets {@code nick}'s role in the room as the system (the authorization proxy's answer to a join). */
  Future<JsonObject> systemRole(RoomRecord record, String nick, String role) {
    return member(record, io.parley.protocol.ChatMessage.SYSTEM, true,
        new ClientFrame.Moderate(null, "role", record.name(), nick, 0, role));
  }

  /** The frame a kicked or banned user's connections get: they have left the room. */
  private static JsonObject removed(io.parley.protocol.ChatMessage event, RoomChange.Kind kind) {
    JsonObject frame = new JsonObject().put("type", "removed").put("room", event.room())
        .put("nick", event.extra().getString("nick")).put("by", event.from()).put("reason", kind.code())
        .put("id", event.id());
    if (event.extra().containsKey("until")) {
      frame.put("until", event.extra().getLong("until"));
    }
    return frame;
  }

  /** {@code edit}, {@code delete}, {@code react}: answers {@code {room, id}}. */
  Future<JsonObject> message(ChatConnection connection, Caller caller, ClientFrame.ChangeMessage frame) {
    String by = connection.as(caller.nick());
    connection.requireMember(frame.room());
    return message(by, false, frame);
  }

  /** A message change by {@code by}; an {@code operator} (the server API) moderates every room. */
  Future<JsonObject> message(String by, boolean operator, ClientFrame.ChangeMessage frame) {
    boolean delete = "delete".equals(frame.type());
    return standings.cached(frame.room(), by).compose(mine -> {
      long now = System.currentTimeMillis();
      if (!delete && mine.muted(now)) {
        throw muted(frame.room(), mine);
      }
      return store.room(frame.room()).compose(record -> {
        if (record == null) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "no room '" + frame.room() + "'");
        }
        RoomChange.Rules rules = new RoomChange.Rules(operator || RoomRoles.of(record, by, mine).moderates(),
            maxEditAgeMs,
            maxEmojiPerMessage, maxReactionsPerUser);
        RoomChange change = switch (frame.type()) {
          case "edit" -> RoomChange.edit(by, now, frame.id(), frame.text(), rules);
          case "delete" -> RoomChange.delete(by, now, frame.id(), rules);
          default -> RoomChange.reaction(by, now, frame.id(), frame.emoji(), frame.on(), rules);
        };
        return store.change(frame.room(), change);
      });
    }).map(changed -> {
      events.message(changed.event());
      return done(changed.event());
    });
  }

  /** Refuses a send (or an edit, a reaction) of a muted user. */
  static ProtocolException muted(String room, Standing standing) {
    return new ProtocolException(ErrorCode.MUTED, "you are muted in '" + room + "'"
        + (standing.mutedUntil() == 0 ? "" : " until " + java.time.Instant.ofEpochMilli(standing.mutedUntil())));
  }

  /** Refuses a join (or a read) of a banned user. */
  static ProtocolException banned(String room, Standing standing) {
    return new ProtocolException(ErrorCode.BANNED, "you are banned from '" + room + "'"
        + (standing.bannedUntil() == 0 ? " for good" : " until "
        + java.time.Instant.ofEpochMilli(standing.bannedUntil())));
  }

  /** The {@code done} fields: the room event the change became. */
  private static JsonObject done(io.parley.protocol.ChatMessage event) {
    return new JsonObject().put("room", event.room()).put("id", event.id()).put("event", event.type());
  }

  /** Everyone with a role in the room, for {@code joined}: its owner and moderators. */
  static io.vertx.core.json.JsonArray moderators(Map<String, Standing> all) {
    return new io.vertx.core.json.JsonArray(all.entrySet().stream()
        .filter(e -> Standing.MODERATOR.equals(e.getValue().role())).map(Map.Entry::getKey).sorted().toList());
  }
}
