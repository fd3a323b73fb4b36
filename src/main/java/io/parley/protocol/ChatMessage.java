package io.parley.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One room event with an id: a message, or a change to the room ({@code kind}: {@code edit}, {@code delete},
 * {@code reaction}, {@code kick}, {@code ban}, {@code unban}, {@code mute}, {@code role}; null for a message).
 * {@code id} is the room's offset: 1 for the first event, then strictly +1, so a client can detect a gap.
 * {@code ts} is epoch milliseconds; {@code cid} is the sender's own id or null (messages only). {@code from} is who
 * sent it or did it ({@code by} in a change's frame). {@code text} is a message's current text or an edit's new
 * one ({@code ""} when it has none: a deleted message, an edit of a deleted message, any other change).
 * {@code extra} holds the other fields of the frame, as they are now (null: none): a message's {@code edited},
 * {@code deleted} and {@code reactions}; a change's {@code target}, {@code nick}, {@code emoji}, {@code on},
 * {@code seconds}, {@code until}, {@code role}, {@code reactions}. Nobody may modify it.
 */
public record ChatMessage(String room, long id, String from, String text, long ts, String cid, String kind,
    JsonObject extra) {

  /**
   * How a sender that is not a user is stored in {@code from}: a backend's bot {@code NAME} as {@code "bot:NAME"},
   * the system as {@code "system:"}. A nick never holds a colon, so no user can pass for either; frames carry the
   * bare name and {@code "sender": "bot"|"system"} (docs/PROTOCOL.md, "message").
   */
  public static final String BOT_PREFIX = "bot:";
  public static final String SYSTEM = "system:";

  /** The stored sender of bot {@code name}'s messages. */
  public static String bot(String name) {
    return BOT_PREFIX + name;
  }

  /** The name a frame shows for a stored sender: a nick, a bot's name, or {@code system}. */
  static String senderName(String from) {
    if (from == null || from.indexOf(':') < 0) {
      return from;
    }
    return from.startsWith(BOT_PREFIX) ? from.substring(BOT_PREFIX.length()) : "system";
  }

  /** A message as sent. */
  public ChatMessage(String room, long id, String from, String text, long ts, String cid) {
    this(room, id, from, text, ts, cid, null, null);
  }

  public ChatMessage {
    if (text == null) {
      text = "";
    }
  }

  /** Whether this is a message (not a change to the room). */
  public boolean isMessage() {
    return kind == null;
  }

  /** The frame type clients receive: {@code message}, or the change's kind. */
  public String type() {
    return kind == null ? "message" : kind;
  }

  /** A message that was deleted (its text is gone). */
  public boolean deleted() {
    return extra != null && extra.getBoolean("deleted", false);
  }

  /** The message id a change is about (0: none). */
  public long target() {
    return extra == null ? 0 : extra.getLong("target", 0L);
  }

  /** {@code extra}, never null (a copy to change is the caller's business). */
  public JsonObject extraOrEmpty() {
    return extra == null ? new JsonObject() : extra;
  }

  /** The same event with another text and extra fields (a message's new state). */
  public ChatMessage with(String newText, JsonObject newExtra) {
    return new ChatMessage(room, id, from, newText, ts, cid, kind, newExtra == null || newExtra.isEmpty() ? null
        : newExtra);
  }

  /** The frame exactly as clients receive it: {@code message}, or a change of its kind (with {@code by}). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", type())
        .put("room", room)
        .put("id", id)
        .put(kind == null ? "from" : "by", senderName(from));
    if (from != null && from.indexOf(':') >= 0) {
      json.put("sender", from.startsWith(BOT_PREFIX) ? "bot" : "system");
    }
    if (!text.isEmpty() || (kind == null && !deleted())) {
      json.put("text", text);
    }
    json.put("ts", ts);
    if (cid != null) {
      json.put("cid", cid);
    }
    if (extra != null) {
      extra.forEach(field -> json.put(field.getKey(), field.getValue()));
    }
    return json;
  }

  /** The event a {@link #toJson()} frame describes (what a store keeps in JSON, e.g. the memory stores). */
  public static ChatMessage fromJson(JsonObject json) {
    String type = json.getString("type", "message");
    boolean message = "message".equals(type);
    JsonObject extra = json.copy();
    for (String field : new String[] {"type", "room", "id", "from", "by", "text", "ts", "cid", "sender"}) {
      extra.remove(field);
    }
    String name = json.getString(message ? "from" : "by");
    String from = "bot".equals(json.getString("sender")) ? bot(name)
        : "system".equals(json.getString("sender")) ? SYSTEM : name;
    return new ChatMessage(json.getString("room"), json.getLong("id", 0L),
        from, json.getString("text", ""), json.getLong("ts", 0L),
        json.getString("cid"), message ? null : type, extra.isEmpty() ? null : extra);
  }
}
