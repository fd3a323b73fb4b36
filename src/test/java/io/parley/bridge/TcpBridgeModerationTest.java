package io.parley.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TcpBridgeClient;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md, "Roles, moderation, edits, deletions and reactions", over the TCP event-bus bridge: the owner's
 * changes and moderation on {@code chat.react}, {@code chat.delete}, {@code chat.ban}; a member's refused; a banned
 * user kept out of the room on every transport.
 */
class TcpBridgeModerationTest extends ParleyServerTest {

  private final List<TcpBridgeClient> clients = new ArrayList<>();

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.TCP_BRIDGE_ENABLED.name(), true).put(Settings.TCP_BRIDGE_PORT.name(), 0);
  }

  @AfterEach
  void closeTcpClients() {
    clients.forEach(TcpBridgeClient::close);
  }

  private TcpBridgeClient tcpClient(String nick, String session) {
    TcpBridgeClient client = TcpBridgeClient.connect(vertx, node.tcpBridgePort());
    clients.add(client);
    JsonObject hello = new JsonObject().put("nick", nick);
    if (session != null) {
      hello.put("session", session);
    }
    client.request("chat.hello", hello);
    return client;
  }

  private static JsonObject fields(String room) {
    return new JsonObject().put("room", room);
  }

  private static String refusalCode(JsonObject answer) {
    assertEquals("err", answer.getString("type"), answer::encode);
    return answer.getString("message").split(" ")[0];
  }

  @Test
  void tcp_bridge_moderation_changes_and_a_ban_that_holds_on_every_transport() {
    TcpBridgeClient ada = tcpClient("ada", null);
    ada.register("chat.room.tcp");
    ada.request("chat.join", fields("tcp"));
    TestClient bob = anonymous();
    String session = bob.send(new JsonObject().put("type", "hello").put("nick", "bob")).expect("welcome")
        .getString("session");
    bob.join("tcp");
    long id = bob.say("tcp", "hello from ws").getLong("id");

    JsonObject reacted = ada.request("chat.react", fields("tcp").put("id", id).put("emoji", "👋"));
    assertEquals(new JsonObject().put("room", "tcp").put("id", id + 1).put("event", "reaction"), reacted);
    assertEquals("ada", bob.expectPast("reaction", "presence").getString("by"));
    bob.send(new JsonObject().put("type", "edit").put("room", "tcp").put("id", id).put("text", "hello, edited"));
    bob.expectPast("done", "edit");
    JsonObject edit = ada.nextBodyOf("chat.room.tcp");
    while (!"edit".equals(edit.getString("type"))) {
      edit = ada.nextBodyOf("chat.room.tcp");
    }
    assertEquals(id, edit.getLong("target"));
    assertEquals("hello, edited", edit.getString("text"));
    bob.drain();

    // A member on the TCP bridge may not moderate; the owner may delete anyone's message.
    TcpBridgeClient cy = tcpClient("cy", null);
    cy.request("chat.join", fields("tcp"));
    assertEquals("forbidden", refusalCode(cy.requestFrame("chat.kick", fields("tcp").put("nick", "bob"))));
    assertEquals("forbidden", refusalCode(cy.requestFrame("chat.delete", fields("tcp").put("id", id))));
    assertEquals("not_found", refusalCode(cy.requestFrame("chat.edit", fields("tcp").put("id", 99).put("text", "x"))));
    assertEquals("delete", ada.request("chat.delete", fields("tcp").put("id", id)).getString("event"));
    assertEquals(id, bob.expectPast("delete", "presence", "edit").getLong("target"));

    // The ban: bob's /ws connection leaves; a TCP socket of his is refused the room.
    assertEquals("ban", ada.request("chat.ban", fields("tcp").put("nick", "bob").put("seconds", 0)).getString("event"));
    assertEquals("ban", bob.expectPast("removed", "ban").getString("reason"));
    bob.send(new JsonObject().put("type", "join").put("room", "tcp")).expectError("banned");
    TcpBridgeClient bobTcp = tcpClient("bob", session);
    assertEquals("banned", refusalCode(bobTcp.requestFrame("chat.join", fields("tcp"))));
    assertEquals("banned", refusalCode(bobTcp.requestFrame("chat.history", fields("tcp"))));
    bobTcp.register("chat.room.tcp");
    assertEquals("access_denied", bobTcp.refusal().getString("message"));
    JsonObject history = cy.request("chat.history", fields("tcp"));
    assertFalse(history.encode().contains("hello from ws") || history.encode().contains("edited"), history::encode);
  }
}
