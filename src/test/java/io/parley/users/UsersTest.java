package io.parley.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Users, devices, private rooms and direct messages": a user, many connections. */
class UsersTest extends ParleyServerTest {

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put(Settings.GUEST_SESSION_TTL_S.name(), 60);
  }

  private TestClient again(String nick, String session) {
    TestClient second = anonymous();
    second.send(new JsonObject().put("type", "hello").put("nick", nick).put("session", session));
    JsonObject welcome = second.expect("welcome");
    assertEquals(session, welcome.getString("session"), "the same user keeps its session");
    return second;
  }

  @Test
  void a_second_connection_with_the_session_is_the_same_user() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    assertNotNull(session, "a guest's welcome carries its session");
    assertEquals(22, session.length());
    TestClient second = again("alice", session);
    first.join("general");
    assertEquals("join", second.expect("device").getString("event"));
    second.join("general");
    assertEquals("join", first.expect("device").getString("event"));
    JsonObject message = first.say("general", "from the first tab");
    assertEquals("alice", second.expectPast("message", "device").getString("from"));
    assertEquals(message.getLong("id"), 1L);
  }

  @Test
  void a_guest_nick_is_taken_without_the_session() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    first.expect("welcome");
    anonymous().send(new JsonObject().put("type", "hello").put("nick", "alice")).expectError("nick_taken");
    anonymous().send(new JsonObject().put("type", "hello").put("nick", "alice").put("session", "AAAAAAAAAAAAAAAAAAAAAA"))
        .expectError("nick_taken");
    first.close();
    // Closed, but within GUEST_SESSION_TTL_S: still the user's, and its session still works.
    anonymous().send(new JsonObject().put("type", "hello").put("nick", "alice")).expectError("nick_taken");
  }

  @Test
  void the_session_gets_the_nick_back_at_once_after_the_last_connection_closed() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    first.close();
    again("alice", session);
  }

  @Test
  void a_second_tab_adds_no_member_and_no_presence() {
    TestClient bob = user("bob");
    bob.join("general");
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    long version = first.join("general").getLong("membersVersion");
    assertEquals("join", bob.expect("presence").getString("event"));
    TestClient second = again("alice", session);
    JsonObject joined = second.join("general");
    assertEquals(new JsonArray(List.of("alice", "bob")), joined.getJsonArray("members"), "alice once");
    assertEquals(version, joined.getLong("membersVersion"), "a second connection changes no membership");
    bob.expectNothingQueued(); // no presence for the second tab
  }

  @Test
  void presence_leave_comes_with_the_last_connection() {
    TestClient bob = user("bob");
    bob.join("general");
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    first.join("general");
    bob.expect("presence");
    TestClient second = again("alice", session);
    second.join("general");
    first.close();
    bob.expectNothingQueued(); // alice is still there by her second connection
    second.send(new JsonObject().put("type", "leave").put("room", "general"));
    JsonObject leave = bob.expect("presence");
    assertEquals("leave", leave.getString("event"));
    assertEquals("alice", leave.getString("nick"));
  }

  @Test
  void device_join_and_leave_reach_the_other_connections() {
    TestClient first = anonymous();
    first.send(new JsonObject().put("type", "hello").put("nick", "alice"));
    String session = first.expect("welcome").getString("session");
    TestClient second = again("alice", session);
    first.join("ops");
    JsonObject device = second.expect("device");
    assertEquals("join", device.getString("event"));
    assertEquals("ops", device.getString("room"));
    first.send(new JsonObject().put("type", "leave").put("room", "ops"));
    first.expect("left");
    assertEquals("leave", second.expect("device").getString("event"));
    first.expectNothingQueued(); // the connection that acted hears no device frame of its own
  }
}
