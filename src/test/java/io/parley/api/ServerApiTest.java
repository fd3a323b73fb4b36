package io.parley.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The server API (docs/openapi.json, docs/INTEGRATION.md) against a real node over real HTTP, with real /ws users
 * seeing what the backend does: every operation the OpenAPI document lists is called, with its documented status.
 */
class ServerApiTest extends ParleyServerTest {

  private static final String KEY = "test-key-0123456789abcdef";

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("API_KEYS", "other-key-00000000000," + KEY);
  }

  /** A status and a JSON body. */
  record Reply(int status, JsonObject body) {
  }

  private Reply call(HttpMethod method, String path, JsonObject body, String key) {
    HttpClient http = vertx.createHttpClient();
    try {
      RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(node.apiPort())
          .setURI(ServerApi.PREFIX + path);
      if (key != null) {
        options.putHeader("Authorization", "Bearer " + key);
      }
      // The body is asked for in the same step as the response arrives, before it can have ended unheard.
      return http.request(options)
          .compose(request -> body == null ? request.send() : request.putHeader("Content-Type", "application/json")
              .send(body.encode()))
          .compose(response -> response.body().map(raw -> new Reply(response.statusCode(),
              raw.length() == 0 ? new JsonObject() : new JsonObject(raw))))
          .await();
    } finally {
      http.close();
    }
  }

  private Reply call(HttpMethod method, String path, JsonObject body) {
    return call(method, path, body, KEY);
  }

  @Test
  void api_refuses_requests_without_a_valid_key() {
    Reply none = call(HttpMethod.GET, "/rooms", null, null);
    assertEquals(401, none.status());
    assertEquals("auth_required", none.body().getJsonObject("error").getString("code"));
    assertEquals(401, call(HttpMethod.GET, "/rooms", null, "not-a-key-of-this-server").status());
    assertEquals(200, call(HttpMethod.GET, "/rooms", null, "other-key-00000000000").status());
  }

  @Test
  void api_publish_as_a_bot_reaches_users_once_per_cid_with_the_next_id() {
    TestClient alice = user("alice");
    alice.join("general");
    alice.say("general", "hi");
    Reply first = call(HttpMethod.POST, "/rooms/general/messages",
        new JsonObject().put("text", "build 42 passed").put("bot", "ci").put("cid", "build-42"));
    assertEquals(201, first.status(), first.body()::encode);
    assertEquals(2L, first.body().getLong("id"));
    JsonObject seen = alice.expectPast("message", "presence");
    assertEquals("ci", seen.getString("from"));
    assertEquals("bot", seen.getString("sender"));
    assertEquals("build 42 passed", seen.getString("text"));
    assertEquals(2L, seen.getLong("id"));

    Reply again = call(HttpMethod.POST, "/rooms/general/messages",
        new JsonObject().put("text", "build 42 passed").put("bot", "ci").put("cid", "build-42"));
    assertEquals(200, again.status());
    assertTrue(again.body().getBoolean("repeated"));
    assertEquals(2L, again.body().getLong("id"));

    Reply system = call(HttpMethod.POST, "/rooms/general/messages", new JsonObject().put("text", "maintenance at 6"));
    assertEquals(201, system.status());
    JsonObject announced = alice.expect("message");
    assertEquals(3L, announced.getLong("id"), "the repeat was not delivered again");
    assertEquals("system", announced.getString("from"));
    assertEquals("system", announced.getString("sender"));

    // History shows them as the room delivered them; a user cannot pass for the bot.
    JsonArray history = call(HttpMethod.GET, "/rooms/general/messages?limit=10", null).body().getJsonArray("messages");
    assertEquals(3, history.size());
    assertEquals("bot", history.getJsonObject(1).getString("sender"));
    assertFalse(alice.say("general", "me").containsKey("sender"));
  }

  @Test
  void api_refuses_bad_input_with_the_protocol_error_codes() {
    user("alice").join("general");
    assertEquals("not_found", call(HttpMethod.POST, "/rooms/nowhere/messages",
        new JsonObject().put("text", "x")).body().getJsonObject("error").getString("code"));
    assertEquals(400, call(HttpMethod.POST, "/rooms/general/messages", new JsonObject().put("text", "")).status());
    assertEquals("invalid_nick", call(HttpMethod.POST, "/rooms/general/messages",
        new JsonObject().put("text", "x").put("bot", "no:colons")).body().getJsonObject("error").getString("code"));
    assertEquals(404, call(HttpMethod.GET, "/no/such/thing", null).status());
    Reply created = call(HttpMethod.POST, "/rooms", new JsonObject().put("room", "ops"));
    assertEquals(201, created.status());
    assertEquals(409, call(HttpMethod.POST, "/rooms", new JsonObject().put("room", "ops")).status());
    assertEquals("missing_field", call(HttpMethod.POST, "/rooms", new JsonObject().put("room", "secret")
        .put("kind", "private")).body().getJsonObject("error").getString("code"));
  }

  @Test
  void api_disconnect_closes_every_connection_of_the_user_with_4002() {
    TestClient phone = TestClient.connect(vertx, node.httpPort());
    phone.send(new JsonObject().put("type", "hello").put("nick", "bob"));
    String session = phone.expect("welcome").getString("session");
    TestClient laptop = TestClient.connect(vertx, node.httpPort());
    laptop.send(new JsonObject().put("type", "hello").put("nick", "bob").put("session", session));
    laptop.expect("welcome");
    Reply done = call(HttpMethod.POST, "/users/bob/disconnect", new JsonObject().put("reason", "account closed"));
    assertEquals(202, done.status());
    assertEquals(4002, phone.awaitClose());
    assertEquals(4002, laptop.awaitClose());
  }

  /**
   * Calls every operation of docs/openapi.json once, in a story a backend would tell, and checks the status the
   * document gives for success; an operation added to the document without a call here fails the test.
   */
  @Test
  void openapi_document_lists_exactly_the_operations_that_work() throws Exception {
    JsonObject document = new JsonObject(Files.readString(Path.of("docs", "openapi.json")));
    Map<String, Set<Integer>> documented = new LinkedHashMap<>();
    document.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(op -> {
      JsonObject operation = (JsonObject) op.getValue();
      Set<Integer> success = new TreeSet<>();
      operation.getJsonObject("responses").fieldNames().stream().map(Integer::parseInt).filter(code -> code < 300)
          .forEach(success::add);
      documented.put(operation.getString("operationId"), success);
    }));
    Map<String, Integer> called = new LinkedHashMap<>();
    TestClient carol = user("carol");
    carol.join("lobby");
    TestClient dave = user("dave");
    dave.join("lobby");

    called.put("createRoom", call(HttpMethod.POST, "/rooms", new JsonObject().put("room", "team").put("kind", "private")
        .put("owner", "carol").put("members", new JsonArray().add("dave"))).status());
    called.put("listRooms", call(HttpMethod.GET, "/rooms?nick=carol", null).status());
    called.put("inviteMember", call(HttpMethod.PUT, "/rooms/team/members/erin", null).status());
    called.put("removeMember", call(HttpMethod.DELETE, "/rooms/team/members/erin", null).status());
    Reply published = call(HttpMethod.POST, "/rooms/lobby/messages", new JsonObject().put("text", "welcome"));
    called.put("publishMessage", published.status());
    called.put("getHistory", call(HttpMethod.GET, "/rooms/lobby/messages?limit=5", null).status());
    Reply room = call(HttpMethod.GET, "/rooms/lobby", null);
    called.put("getRoom", room.status());
    assertEquals(new JsonArray().add("carol").add("dave"), room.body().getJsonArray("online"));
    called.put("setRole", call(HttpMethod.PUT, "/rooms/lobby/roles/carol", new JsonObject().put("role", "moderator"))
        .status());
    called.put("muteMember", call(HttpMethod.PUT, "/rooms/lobby/mutes/dave", new JsonObject().put("seconds", 60))
        .status());
    called.put("unmuteMember", call(HttpMethod.DELETE, "/rooms/lobby/mutes/dave", null).status());
    called.put("deleteMessage", call(HttpMethod.DELETE, "/rooms/lobby/messages/" + published.body().getLong("id"),
        null).status());
    called.put("kickMember", call(HttpMethod.POST, "/rooms/lobby/members/dave/kick", null).status());
    called.put("banMember", call(HttpMethod.PUT, "/rooms/lobby/bans/dave", new JsonObject().put("seconds", 600))
        .status());
    called.put("unbanMember", call(HttpMethod.DELETE, "/rooms/lobby/bans/dave", null).status());
    called.put("disconnectUser", call(HttpMethod.POST, "/users/dave/disconnect", null).status());

    assertEquals(new TreeSet<>(documented.keySet()), new TreeSet<>(called.keySet()),
        "every documented operation is called, and only those");
    documented.forEach((operation, statuses) -> assertTrue(statuses.contains(called.get(operation)),
        () -> operation + " answered " + called.get(operation) + ", documented " + statuses));

    // What the users saw of it, in order: the room events carry the system as their author.
    JsonObject deleted = carol.expectPast("delete", "presence", "message", "role", "mute", "unmute");
    assertEquals("system", deleted.getString("by"));
    Set<String> kinds = new TreeSet<>();
    room.body().getJsonArray("standings").forEach(s -> kinds.add(((JsonObject) s).getString("nick")));
    assertTrue(kinds.isEmpty() || kinds.contains("carol") || kinds.contains("dave"));
    assertEquals(4002, dave.awaitClose());
  }

  @Test
  void api_on_its_own_port_and_no_api_without_keys() {
    // Their own Vertx: nodes on one Vertx would share one HTTP server (port 0), and so this class's node's API.
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    ParleyNode separate = ParleyNode.deploy(vertx, testConfig(new JsonObject().put("API_KEYS", KEY)
        .put("API_PORT", io.parley.support.Ports.free()))).await();
    assertTrue(separate.apiPort() > 0 && separate.apiPort() != separate.httpPort());
    ParleyNode without = ParleyNode.deploy(vertx, testConfig(new JsonObject())).await();
    assertEquals(-1, without.apiPort());
    HttpClient http = vertx.createHttpClient();
    int onHttpPort = http.request(HttpMethod.GET, separate.httpPort(), "127.0.0.1", ServerApi.PREFIX + "/rooms")
        .compose(request -> request.putHeader("Authorization", "Bearer " + KEY).send())
        .map(HttpClientResponse::statusCode).await();
    int onItsPort = http.request(HttpMethod.GET, separate.apiPort(), "127.0.0.1", ServerApi.PREFIX + "/rooms")
        .compose(request -> request.putHeader("Authorization", "Bearer " + KEY).send())
        .map(HttpClientResponse::statusCode).await();
    int noKeys = http.request(HttpMethod.GET, without.httpPort(), "127.0.0.1", ServerApi.PREFIX + "/rooms")
        .compose(request -> request.putHeader("Authorization", "Bearer " + KEY).send())
        .map(HttpClientResponse::statusCode).await();
    assertEquals(404, onHttpPort, "not on the public port when it has its own");
    assertEquals(200, onItsPort);
    assertEquals(404, noKeys);
    separate.close().await();
    without.close().await();
    vertx.close().await();
  }
}
