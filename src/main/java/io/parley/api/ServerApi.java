package io.parley.api;

import io.parley.bus.Addresses;
import io.parley.bus.BackendRequest;
import io.parley.bus.BusErrors;
import io.parley.bus.LocalCodec;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameParser;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API for application backends, at {@value #PREFIX} ({@code docs/openapi.json} describes every
 * operation; docs/INTEGRATION.md, "Server API"). Each request is authenticated with one of {@code API_KEYS}, its
 * fields checked by the same rules as a user's frames ({@link FrameParser}), and handed to the node's chat service
 * ({@link Addresses#SERVER_API}), which does it as the operator of the room: what a backend posts gets the same
 * ids, storage and fan-out as a user's message, on every node.
 */
public final class ServerApi {

  public static final String PREFIX = "/api/v1";
  /** Where the API's own description is served, without a key (it is public in the repository anyway). */
  public static final String DOCUMENT = "/openapi.json";

  private static final Logger log = LoggerFactory.getLogger(ServerApi.class);
  /** Most members a new private room may be created with in one request. */
  static final int MAX_INVITED = 1000;
  /** Longest {@code reason} of a disconnect: it becomes the WebSocket close reason (at most 123 bytes). */
  static final int MAX_REASON = 100;

  private final Vertx vertx;
  private final ApiKeys keys;
  private final FrameParser rules;
  private final DeliveryOptions requests;
  private final int bodyMax;
  private final Buffer document;

  public ServerApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.keys = new ApiKeys(config.get(Settings.API_KEYS));
    this.rules = new FrameParser(config.get(Settings.MAX_TEXT_LENGTH), config.get(Settings.HISTORY_PAGE_MAX),
        config.get(Settings.ROOMS_PAGE_MAX), config.get(Settings.MEMBERS_PAGE_SIZE));
    this.requests = LocalCodec.options().setSendTimeout(config.get(Settings.REQUEST_TIMEOUT_MS));
    this.bodyMax = config.get(Settings.API_BODY_MAX);
    this.document = loadDocument();
  }

  /** Whether the API is on: it is when at least one key is configured. */
  public static boolean enabled(ParleyConfig config) {
    return !config.get(Settings.API_KEYS).isEmpty();
  }

  /** Mounts the API at {@value #PREFIX} on {@code router}. */
  public void mount(Router router) {
    router.route(PREFIX + "/*").subRouter(router());
  }

  private Router router() {
    Router api = Router.router(vertx);
    api.get(DOCUMENT).handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(document));
    api.route().handler(this::authenticate);
    api.route().handler(BodyHandler.create(false).setBodyLimit(bodyMax));

    api.get("/rooms").handler(call(this::listRooms));
    api.post("/rooms").handler(call(this::createRoom));
    api.get("/rooms/:room").handler(call(ctx -> new BackendRequest("room", room(ctx), null, null)));
    api.post("/rooms/:room/messages").handler(call(this::publishMessage));
    api.get("/rooms/:room/messages").handler(call(ctx -> new BackendRequest("history", room(ctx),
        rules.parseFields("history", new JsonObject().put("room", room(ctx))
            .put("before", number(ctx, "before")).put("limit", number(ctx, "limit")), ClientFrame.History.class),
        null)));
    api.delete("/rooms/:room/messages/:id").handler(call(ctx -> new BackendRequest("delete", room(ctx),
        rules.parseFields("delete", new JsonObject().put("room", room(ctx)).put("id", pathNumber(ctx, "id")),
            ClientFrame.ChangeMessage.class), null)));
    api.put("/rooms/:room/members/:nick").handler(call(ctx -> new BackendRequest("invite", room(ctx),
        rules.parseFields("invite", target(ctx), ClientFrame.Invite.class), null)));
    api.delete("/rooms/:room/members/:nick").handler(call(ctx -> new BackendRequest("remove", room(ctx),
        rules.parseFields("remove", target(ctx), ClientFrame.Remove.class), null)));
    api.post("/rooms/:room/members/:nick/kick").handler(call(ctx -> moderate(ctx, "kick", target(ctx))));
    api.put("/rooms/:room/bans/:nick").handler(call(ctx -> moderate(ctx, "ban", target(ctx)
        .put("seconds", body(ctx).getValue("seconds")))));
    api.delete("/rooms/:room/bans/:nick").handler(call(ctx -> moderate(ctx, "unban", target(ctx))));
    api.put("/rooms/:room/mutes/:nick").handler(call(ctx -> moderate(ctx, "mute", target(ctx)
        .put("seconds", body(ctx).getValue("seconds")))));
    api.delete("/rooms/:room/mutes/:nick").handler(call(ctx -> moderate(ctx, "mute", target(ctx).put("seconds", 0))));
    api.put("/rooms/:room/roles/:nick").handler(call(ctx -> moderate(ctx, "role", target(ctx)
        .put("role", body(ctx).getValue("role")))));
    api.post("/users/:nick/disconnect").handler(call(this::disconnectUser));
    api.route().handler(ctx -> refuse(ctx, 404, new ProtocolException(ErrorCode.NOT_FOUND,
        "no operation " + ctx.request().method() + " " + ctx.normalizedPath() + " (see " + PREFIX + DOCUMENT + ")")));
    return api;
  }

  /** {@code Authorization: Bearer <key>}, one of {@code API_KEYS}; else 401. */
  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    if (keys.accepts(key)) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"parley\"");
    refuse(ctx, 401, new ProtocolException(ErrorCode.AUTH_REQUIRED, key == null
        ? "send an API key: Authorization: Bearer <key>" : "that is not one of this server's API keys"));
  }

  // ---- operations ------------------------------------------------------------------------------------------------

  private BackendRequest listRooms(RoutingContext ctx) {
    String nick = ctx.request().getParam("nick");
    JsonObject fields = new JsonObject().put("limit", number(ctx, "limit"));
    String after = ctx.request().getParam("after");
    if (after != null) {
      fields.put("after", after);
    }
    return new BackendRequest("rooms", null, rules.parseFields("rooms", fields, ClientFrame.Rooms.class),
        nick == null ? null : new JsonObject().put("nick", Names.requireNick(nick)));
  }

  private BackendRequest createRoom(RoutingContext ctx) {
    JsonObject body = body(ctx);
    String room = string(body, "room", true);
    if (!Names.isRoom(room) || room.startsWith(Names.DIRECT_PREFIX)) {
      throw new ProtocolException(ErrorCode.INVALID_ROOM, "room must match " + Names.ROOM_REGEX
          + " and not start with '" + Names.DIRECT_PREFIX + "' (direct conversations are made by their users)");
    }
    String kind = body.getValue("kind") == null ? "public" : string(body, "kind", true);
    if (!kind.equals("public") && !kind.equals("private")) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "kind must be 'public' or 'private'");
    }
    String owner = string(body, "owner", kind.equals("private"));
    JsonObject fields = new JsonObject().put("kind", kind);
    if (owner != null) {
      fields.put("owner", Names.requireNick(owner));
    }
    Object members = body.getValue("members");
    if (members != null) {
      if (!(members instanceof JsonArray list)) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "field 'members' must be an array of nicks");
      }
      if (list.size() > MAX_INVITED) {
        throw new ProtocolException(ErrorCode.INVALID_VALUE, "at most " + MAX_INVITED + " members at creation");
      }
      if (!kind.equals("private") && !list.isEmpty()) {
        throw new ProtocolException(ErrorCode.INVALID_VALUE, "only a private room has members to invite");
      }
      for (Object nick : list) {
        if (!(nick instanceof String name)) {
          throw new ProtocolException(ErrorCode.WRONG_TYPE, "field 'members' must be an array of nicks");
        }
        Names.requireNick(name);
      }
      fields.put("members", list);
    }
    return new BackendRequest("create", room, null, fields);
  }

  private BackendRequest publishMessage(RoutingContext ctx) {
    JsonObject body = body(ctx);
    JsonObject send = new JsonObject().put("room", room(ctx)).put("text", body.getValue("text"))
        .put("cid", body.getValue("cid"));
    String bot = string(body, "bot", false);
    return new BackendRequest("publish", room(ctx), rules.parseFields("send", send, ClientFrame.Send.class),
        bot == null ? null : new JsonObject().put("bot", Names.requireNick(bot)));
  }

  private BackendRequest moderate(RoutingContext ctx, String type, JsonObject fields) {
    return new BackendRequest("moderate", room(ctx), rules.parseFields(type, fields, ClientFrame.Moderate.class), null);
  }

  private BackendRequest disconnectUser(RoutingContext ctx) {
    String nick = Names.requireNick(ctx.pathParam("nick"));
    String reason = string(body(ctx), "reason", false);
    if (reason != null && reason.length() > MAX_REASON) {
      throw new ProtocolException(ErrorCode.INVALID_VALUE, "reason is at most " + MAX_REASON + " characters");
    }
    return new BackendRequest("disconnect", null, null, new JsonObject().put("nick", nick).put("reason", reason));
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------

  /**
   * Runs an operation: its request made from the HTTP request (refused with 400 if that breaks a rule), asked of the
   * chat service, answered with its JSON: 201 for what the operation created, 202 for a disconnect, else 200.
   */
  private io.vertx.core.Handler<RoutingContext> call(Function<RoutingContext, BackendRequest> operation) {
    return ctx -> {
      BackendRequest request;
      try {
        request = operation.apply(ctx);
      } catch (ProtocolException e) {
        refuse(ctx, status(e.code()), e);
        return;
      }
      vertx.eventBus().<JsonObject>request(Addresses.SERVER_API, request, requests).onComplete(done -> {
        if (done.succeeded()) {
          JsonObject reply = done.result().body();
          int status = switch (request.op()) {
            case "create" -> 201;
            case "publish" -> reply.getBoolean("repeated", false) ? 200 : 201;
            case "disconnect" -> 202;
            default -> 200;
          };
          ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(reply.encode());
        } else {
          ProtocolException e = BusErrors.toProtocolException(done.cause());
          if (e.code() == ErrorCode.INTERNAL_ERROR) {
            log.error("server API {} failed", request.op(), done.cause());
          }
          refuse(ctx, status(e.code()), e);
        }
      });
    };
  }

  /** The HTTP status of a refusal: the error code says what went wrong, the status what kind of wrong it is. */
  static int status(ErrorCode code) {
    return switch (code) {
      case AUTH_REQUIRED, INVALID_TOKEN -> 401;
      case FORBIDDEN, BANNED, MUTED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ROOM_LIMIT_REACHED -> 409;
      case RATE_LIMITED, TOO_MANY_NEW_ROOMS, TOO_MANY_ROOMS -> 429;
      case UNAVAILABLE -> 503;
      case INTERNAL_ERROR -> 500;
      default -> 400;
    };
  }

  private static void refuse(RoutingContext ctx, int status, ProtocolException e) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", e.code().code())
            .put("message", e.getMessage())).encode());
  }

  private static String room(RoutingContext ctx) {
    String room = ctx.pathParam("room");
    if (!Names.isRoom(room)) {
      throw new ProtocolException(ErrorCode.INVALID_ROOM, "room must match " + Names.ROOM_REGEX);
    }
    return room;
  }

  /** {@code room} and {@code nick} of the path, as a frame's fields. */
  private static JsonObject target(RoutingContext ctx) {
    return new JsonObject().put("room", room(ctx)).put("nick", ctx.pathParam("nick"));
  }

  /** The request's JSON object ({@code {}} when it has no body). */
  private static JsonObject body(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new JsonObject();
    }
    try {
      return new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "the body must be one JSON object");
    }
  }

  private static String string(JsonObject body, String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "field '" + field + "' is required");
      }
      return null;
    }
    if (!(value instanceof String text)) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "field '" + field + "' must be a string");
    }
    return text;
  }

  /** A whole number from the query string, as a frame field (null when absent). */
  private static Long number(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "'" + name + "' must be a whole number");
    }
  }

  private static long pathNumber(RoutingContext ctx, String name) {
    try {
      return Long.parseLong(ctx.pathParam(name));
    } catch (NumberFormatException e) {
      throw new ProtocolException(ErrorCode.WRONG_TYPE, "'" + name + "' must be a whole number");
    }
  }

  /** The OpenAPI document, packaged from {@code docs/openapi.json}. */
  private static Buffer loadDocument() {
    try (InputStream in = ServerApi.class.getResourceAsStream("/api/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("api/openapi.json is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
