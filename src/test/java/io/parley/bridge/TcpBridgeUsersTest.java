package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md, "Users, devices, private rooms and direct messages", over the TCP event-bus bridge: {@code chat.hello}
 * and its session, a private room that a {@code /ws} user may join only once invited, and the user's frames on the
 * {@code chat.user} address.
 */
class TcpBridgeUsersTest extends ParleyServerTest {

  private final List<TcpBridgeClient> clients = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @AfterEach
  void closeTcpClients() {
    clients.forEach(TcpBridgeClient::close);
  }

  private TcpBridgeClient tcpClient() {
    TcpBridgeClient client = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    clients.add(client);
    return client;
  }

  private static JsonObject fields(String room) {
    return new JsonObject().put("room", room);
  }

  @Test
  void tcp_bridge_hello_private_room_and_user_frames() {
    TcpBridgeClient ada = tcpClient();

    // chat.user before the socket is anyone: refused.
    ada.register("chat.user");
    assertEquals("access_denied", ada.refusal().getString("message"));

    JsonObject welcome = ada.request("chat.hello", new JsonObject().put("nick", "ada"));
    assertEquals("ada", welcome.getString("nick"));
    String session = welcome.getString("session");
    assertNotNull(session, welcome::encode);
    assertNotNull(welcome.getString("node"), welcome::encode);
    ada.register("chat.user");
    ada.request("chat.rooms", new JsonObject()); // the registration has taken effect (envelopes are served in order)
    ada.expectNoRefusal();

    // A private room, created by ada's join.
    ada.register("chat.room.ops");
    JsonObject created = ada.request("chat.join", fields("ops").put("visibility", "private"));
    assertEquals("private", created.getString("kind"), created::encode);
    assertEquals("ada", created.getString("owner"), created::encode);
    assertEquals(new JsonArray().add("ada"), created.getJsonArray("members"));
    ada.request("chat.send", fields("ops").put("text", "secret"));

    // A /ws user of another nick is kept out...
    TestClient bob = user("bob");
    bob.send(new JsonObject().put("type", "join").put("room", "ops")).expectError("forbidden");
    bob.send(new JsonObject().put("type", "history").put("room", "ops")).expectError("forbidden");

    // ... until invited.
    JsonObject invitedReply = ada.request("chat.invite", fields("ops").put("nick", "bob"));
    assertEquals("bob", invitedReply.getString("nick"), invitedReply::encode);
    assertEquals("ada", invitedReply.getString("by"), invitedReply::encode);
    assertEquals("private", invitedReply.getString("kind"), invitedReply::encode);
    JsonObject invited = bob.expect("invited");
    assertEquals("ops", invited.getString("room"));
    assertEquals("bob", invited.getString("nick"));
    assertEquals("ada", invited.getString("by"));
    assertEquals("private", invited.getString("kind"));
    JsonObject joined = bob.join("ops");
    assertEquals(new JsonArray().add("ada").add("bob"), joined.getJsonArray("members"));
    assertEquals("secret", joined.getJsonArray("history").getJsonObject(0).getString("text"));
    JsonObject hi = bob.say("ops", "hi ada");
    assertEquals(hi, ada.nextMessageAfter("chat.room.ops", hi.getLong("id") - 1),
        "the room's message reaches the TCP socket, as /ws sent it");

    // The same user on a second TCP socket, with the session: ada's first socket hears its join.
    TcpBridgeClient second = tcpClient();
    JsonObject again = second.request("chat.hello", new JsonObject().put("nick", "ada").put("session", session));
    assertEquals("ada", again.getString("nick"));
    TcpBridgeClient stranger = tcpClient();
    JsonObject taken = stranger.requestFrame("chat.hello", new JsonObject().put("nick", "ada"));
    assertEquals("err", taken.getString("type"), taken::encode);
    assertEquals(400, taken.getInteger("failureCode"), taken::encode);
    assertEquals("nick_taken", taken.getString("message").split(" ")[0], taken::encode);

    JsonObject secondJoined = second.request("chat.join", fields("ops"));
    assertEquals(new JsonArray().add("ada").add("bob"), secondJoined.getJsonArray("members"), "ada is listed once");
    assertEquals(new JsonObject().put("type", "device").put("event", "join").put("room", "ops"),
        ada.nextBodyOf("chat.user"));
    // The second join made no presence: bob's next frame is his own message.
    bob.say("ops", "after ada's second socket");
  }
}
