package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.parley.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code AUTH_PROXY_URL} (docs/PROTOCOL.md, "Authorization proxy"): a real HTTP backend, started here on port 0,
 * records what Parley asks it and answers as each test says; Parley's clients are real ones, over /ws and the TCP
 * bridge.
 */
class AuthProxyTest extends ParleyServerTest {

  private static final String SECRET = "parley-to-backend-0123456789";

  /** A request the backend received: its JSON body and its Authorization header. */
  private record Asked(JsonObject body, String authorization) {
  }

  /** An answer of the backend: a status and a body; null from {@link #answers}: no answer at all (a hung backend). */
  private record Reply(int status, String body) {
    static Reply json(JsonObject body) {
      return new Reply(200, body.encode());
    }
  }

  private final BlockingQueue<Asked> asked = new LinkedBlockingQueue<>();
  private volatile Function<JsonObject, Reply> answers = AuthProxyTest::allowAsAsked;
  private int backendPort;
  private final List<ParleyNode> otherNodes = new ArrayList<>();
  private final List<TestClient> otherClients = new ArrayList<>();
  private final List<Vertx> otherVertx = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    if (backendPort == 0) {
      backendPort = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        JsonObject json = body.toJsonObject();
        asked.add(new Asked(json, request.getHeader("Authorization")));
        Reply reply = answers.apply(json);
        if (reply != null) {
          request.response().setStatusCode(reply.status()).putHeader("Content-Type", "application/json")
              .end(reply.body());
        }
      })).listen(0, "127.0.0.1").await().actualPort();
    }
    return new JsonObject().put(Settings.AUTH_PROXY_URL.name(), "http://127.0.0.1:" + backendPort + "/parley/auth")
        .put(Settings.AUTH_PROXY_SECRET.name(), SECRET)
        .put(Settings.AUTH_PROXY_TIMEOUT_MS.name(), 300)
        .put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @AfterEach
  void closeOtherNodes() {
    otherClients.forEach(TestClient::close);
    otherNodes.forEach(other -> other.close().await());
    otherVertx.forEach(own -> own.close().await());
  }

  /** Allows every connect as the nick asked, every join without a role. */
  private static Reply allowAsAsked(JsonObject request) {
    return Reply.json(new JsonObject().put("allow", true).put("nick", request.getString("nick")));
  }

  /** The next request the backend received. */
  private Asked nextAsked() {
    try {
      Asked next = asked.poll(TestClient.WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(next != null, "the backend was not asked");
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next request, which must be {@code op}. */
  private JsonObject nextAsked(String op) {
    JsonObject body = nextAsked().body();
    assertEquals(op, body.getString("op"), body::encode);
    return body;
  }

  private static JsonObject hello(String nick) {
    return new JsonObject().put("type", "hello").put("nick", nick);
  }

  /**
   * A node of this backend with {@code extra} settings besides this class's, in a Vert.x of its own (two chat services
   * on one event bus would share each other's requests).
   */
  private ParleyNode nodeWith(JsonObject extra) {
    Vertx own = Vertx.vertx();
    otherVertx.add(own);
    ParleyNode other = ParleyNode.deploy(own, testConfig(overrides().mergeIn(extra))).await();
    otherNodes.add(other);
    return other;
  }

  private TestClient clientOf(ParleyNode other) {
    TestClient client = TestClient.connect(vertx, other.httpPort());
    otherClients.add(client);
    return client;
  }

  @Test
  void connect_allowed_as_another_nick_with_the_secret_header() {
    answers = request -> Reply.json(new JsonObject().put("allow", true).put("nick", "alice_7"));
    JsonObject welcome = anonymous().send(hello("alice").put("token", "opaque-session-cookie")).expect("welcome");
    assertEquals("alice_7", welcome.getString("nick"), "the backend's nick is final");

    Asked connect = nextAsked();
    assertEquals("Bearer " + SECRET, connect.authorization());
    assertEquals(new JsonObject().put("op", "connect").put("nick", "alice").put("token", "opaque-session-cookie")
        .put("transport", "ws").put("address", "127.0.0.1"), connect.body());

    // A hello without a nick asks with null, and the backend names the user.
    assertEquals("alice_7", anonymous().send(new JsonObject().put("type", "hello").put("token", "another-cookie"))
        .expect("welcome").getString("nick"));
    JsonObject second = nextAsked("connect");
    assertTrue(second.containsKey("nick") && second.getValue("nick") == null, second::encode);
  }

  @Test
  void a_user_the_backend_allows_is_the_same_user_on_all_its_devices() {
    // Two connections allowed as alice are both alice (as with a verified token), without a guest session.
    anonymous().send(hello("alice")).expect("welcome");
    JsonObject second = anonymous().send(hello("alice")).expect("welcome");
    assertEquals("alice", second.getString("nick"));
    assertNull(second.getString("session"), second::encode);
  }

  @Test
  void connect_denied_with_the_reason_and_the_connection_may_say_hello_again() {
    answers = request -> "mallory".equals(request.getString("nick"))
        ? Reply.json(new JsonObject().put("allow", false).put("reason", "account suspended"))
        : allowAsAsked(request);
    TestClient client = anonymous();
    JsonObject denied = client.send(hello("mallory")).expectError("denied");
    assertEquals("account suspended", denied.getString("message"));
    nextAsked("connect");

    assertEquals("mallory2", client.send(hello("mallory2")).expect("welcome").getString("nick"),
        "a denied hello leaves the connection open, to say hello again");
    nextAsked("connect");
  }

  @Test
  void join_allowed_into_a_private_room_without_an_invitation() {
    TestClient olga = user("olga");
    olga.send(new JsonObject().put("type", "join").put("room", "vault").put("visibility", "private"));
    assertEquals("private", olga.expect("joined").getString("kind"));
    TestClient pete = user("pete");
    asked.clear();

    JsonObject joined = pete.join("vault");
    assertEquals("vault", joined.getString("room"));
    assertEquals(new JsonObject().put("op", "join").put("nick", "pete").put("room", "vault"), nextAsked("join"));
    // Recorded as an invitation would be: pete is on the room's list now, as a member.
    pete.send(new JsonObject().put("type", "rooms"));
    JsonArray rooms = pete.expectPast("rooms", "presence").getJsonArray("rooms");
    JsonObject vault = rooms.stream().map(JsonObject.class::cast).filter(r -> "vault".equals(r.getString("room")))
        .findFirst().orElseThrow(() -> new AssertionError("vault is not in pete's rooms: " + rooms.encode()));
    assertEquals("member", vault.getString("access"), vault::encode);
  }

  @Test
  void join_denied_into_a_public_room_whatever_its_rules() {
    answers = request -> "join".equals(request.getString("op"))
        ? Reply.json(new JsonObject().put("allow", false).put("reason", "members only"))
        : allowAsAsked(request);
    TestClient bob = user("bob");
    JsonObject denied = bob.send(new JsonObject().put("type", "join").put("room", "lobby").put("ref", "j1"))
        .expectError("denied");
    assertEquals("members only", denied.getString("message"));
    assertEquals("j1", denied.getString("ref"));
    bob.send(new JsonObject().put("type", "rooms"));
    assertEquals(new JsonArray(), bob.expect("rooms").getJsonArray("rooms"), "the denied join created no room");
  }

  @Test
  void a_role_the_backend_gives_is_set_by_the_system_before_the_join_is_answered() {
    answers = request -> "max".equals(request.getString("nick")) && "join".equals(request.getString("op"))
        ? Reply.json(new JsonObject().put("allow", true).put("role", "moderator"))
        : allowAsAsked(request);
    TestClient olga = user("olga");
    assertEquals("owner", olga.join("stage").getString("role"));
    TestClient max = user("max");

    JsonObject joined = max.join("stage");
    assertEquals("moderator", joined.getString("role"), joined::encode);
    assertTrue(joined.getJsonArray("moderators").contains("max"), joined::encode);
    JsonObject role = olga.expectPast("role", "presence");
    assertEquals("system", role.getString("by"), role::encode);
    assertEquals("max", role.getString("nick"));
    assertEquals("moderator", role.getString("role"));

    // Joined again with the same answer, max holds the role already: no second event.
    max.send(new JsonObject().put("type", "leave").put("room", "stage"));
    max.expect("left");
    JsonObject again = max.join("stage");
    assertEquals("moderator", again.getString("role"));
    long roleEvents = max.historyFromTheStart("stage", again.getLong("lastId")).stream().map(JsonObject.class::cast)
        .filter(event -> "role".equals(event.getString("type"))).count();
    assertEquals(1, roleEvents, "one role event in the room's history");
  }

  @Test
  void a_backend_that_does_not_answer_denies_with_AUTH_PROXY_FAIL_deny() {
    answers = request -> null;
    JsonObject denied = anonymous().send(hello("alice")).expectError("denied");
    assertTrue(denied.getString("message").contains("did not answer"), denied::encode);

    answers = request -> new Reply(500, "{\"allow\":true}");
    anonymous().send(hello("alice")).expectError("denied");
    answers = request -> new Reply(200, "allow");
    anonymous().send(hello("alice")).expectError("denied");

    answers = AuthProxyTest::allowAsAsked;
    assertEquals("alice", anonymous().send(hello("alice")).expect("welcome").getString("nick"),
        "failures are not kept: asked again, it answers");
  }

  @Test
  void a_backend_that_does_not_answer_leaves_the_rooms_own_rules_with_AUTH_PROXY_FAIL_allow() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(AuthProxy.class);
    logger.addAppender(lines);
    lines.start();
    try {
      ParleyNode lenient = nodeWith(new JsonObject().put(Settings.AUTH_PROXY_FAIL.name(), "allow"));
      answers = request -> null;
      TestClient carol = clientOf(lenient);
      assertEquals("carol", carol.send(hello("carol")).expect("welcome").getString("nick"));
      assertEquals("general", carol.join("general").getString("room"), "a public room admits anyone");
      assertEquals("carol", nextAsked("connect").getString("nick"));
      nextAsked("join");
      // Without the backend's allow, carol is a guest: another connection cannot be her without her session.
      clientOf(lenient).send(hello("carol")).expectError("nick_taken");

      answers = AuthProxyTest::allowAsAsked;
      clientOf(lenient).send(hello("dave")).expect("welcome");
      List<ILoggingEvent> warnings = lines.list.stream().filter(line -> line.getLevel() == Level.WARN).toList();
      assertEquals(1, warnings.size(), () -> "one line for the outage: " + lines.list);
      assertEquals(1, lines.list.stream().filter(line -> line.getFormattedMessage().contains("is back")).count(),
          () -> "one line when it is back: " + lines.list);
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void answers_are_kept_AUTH_PROXY_CACHE_S_and_not_with_0() {
    TestClient erin = user("erin");
    nextAsked("connect");
    erin.join("kept");
    nextAsked("join");
    erin.send(new JsonObject().put("type", "leave").put("room", "kept"));
    erin.expect("left");
    erin.join("kept");
    assertTrue(asked.isEmpty(), () -> "the second join was answered from the cache, yet asked " + asked);

    ParleyNode uncached = nodeWith(new JsonObject().put(Settings.AUTH_PROXY_CACHE_S.name(), 0));
    TestClient frank = clientOf(uncached);
    frank.send(hello("frank")).expect("welcome");
    nextAsked("connect");
    frank.join("kept");
    nextAsked("join");
    frank.send(new JsonObject().put("type", "leave").put("room", "kept"));
    frank.expect("left");
    frank.join("kept");
    assertEquals("frank", nextAsked("join").getString("nick"), "without a cache the backend is asked each time");
  }

  @Test
  void the_tcp_bridge_asks_the_backend_too() {
    answers = request -> "connect".equals(request.getString("op"))
        ? Reply.json(new JsonObject().put("allow", true).put("nick", "tcp_" + request.getString("nick")))
        : "secret".equals(request.getString("room"))
            ? Reply.json(new JsonObject().put("allow", false).put("reason", "not for bots"))
            : allowAsAsked(request);
    TcpBridgeClient bridge = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    try {
      JsonObject joined = bridge.request("chat.join", new JsonObject().put("room", "bots").put("nick", "robo"));
      assertEquals("tcp_robo", joined.getString("nick"), joined::encode);
      JsonObject connect = nextAsked("connect");
      assertEquals("tcp", connect.getString("transport"));
      assertEquals("robo", connect.getString("nick"));
      assertEquals(new JsonObject().put("op", "join").put("nick", "tcp_robo").put("room", "bots"), nextAsked("join"));

      JsonObject refused = bridge.requestFrame("chat.join", new JsonObject().put("room", "secret"));
      assertEquals("err", refused.getString("type"), refused::encode);
      assertEquals("denied not for bots", refused.getString("message"), refused::encode);
    } finally {
      bridge.close();
    }
  }
}
