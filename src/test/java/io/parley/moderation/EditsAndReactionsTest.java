package io.parley.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.Settings;
import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md, "Roles, moderation...": edits, deletions and reactions over /ws, live and in history. */
class EditsAndReactionsTest extends ParleyServerTest {

  static JsonObject change(String type, String room, long id) {
    return new JsonObject().put("type", type).put("room", room).put("id", id);
  }

  static JsonObject react(String room, long id, String emoji, boolean on) {
    return change("react", room, id).put("emoji", emoji).put("on", on);
  }

  /** The room event {@code client}'s change became, checked against its {@code done} answer (either may come first). */
  static JsonObject acted(TestClient client, String event) {
    JsonObject done = null;
    JsonObject seen = null;
    while (done == null || seen == null) {
      JsonObject frame = client.next();
      if ("done".equals(frame.getString("type"))) {
        done = frame;
      } else {
        assertEquals(event, frame.getString("type"), frame::encode);
        seen = frame;
      }
    }
    assertEquals(event, done.getString("event"));
    assertEquals(done.getLong("id"), seen.getLong("id"));
    return seen;
  }

  /** alice creates (owns) general, bob joins it. */
  private TestClient[] aliceOwnsBobJoins() {
    TestClient alice = user("alice");
    alice.join("general");
    TestClient bob = user("bob");
    bob.join("general");
    alice.expect("presence");
    return new TestClient[] {alice, bob};
  }

  private void restartWith(JsonObject overrides) {
    node.close().await();
    node = ParleyNode.deploy(vertx, testConfig(overrides)).await();
  }

  private static JsonObject only(JsonArray events, long id) {
    return events.stream().map(JsonObject.class::cast).filter(e -> e.getLong("id") == id).findFirst().orElseThrow();
  }

  @Test
  void an_edit_is_a_new_event_and_history_shows_the_new_text() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    long id = alice.say("general", "helo").getLong("id");
    bob.expect("message");
    alice.send(change("edit", "general", id).put("text", "hello").put("ref", "e1"));
    JsonObject edit = acted(alice, "edit");
    assertEquals(id + 1, edit.getLong("id"));
    assertEquals(id, edit.getLong("target"));
    assertEquals("hello", edit.getString("text"));
    assertEquals("alice", edit.getString("by"));
    assertEquals(edit, bob.expect("edit"));
    JsonArray history = user("carol").join("general").getJsonArray("history");
    JsonObject message = only(history, id);
    assertEquals("hello", message.getString("text"));
    assertTrue(message.getBoolean("edited"));
    assertEquals(id, only(history, id + 1).getLong("target"), "the edit event is in history too");
    alice.expect("presence");
    bob.expect("presence");
    // someone else's message: forbidden
    bob.send(change("edit", "general", id).put("text", "hijacked")).expectError("forbidden");
    bob.send(change("delete", "general", id)).expectError("forbidden");
    // the text follows the rules of send
    alice.send(change("edit", "general", id).put("text", "  ")).expectError("empty_text");
    alice.expectNothingQueued();
  }

  @Test
  void a_deletion_removes_the_text_and_a_moderator_deletes_anyones() {
    TestClient[] ab = aliceOwnsBobJoins(); // the owner
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    long first = bob.say("general", "oops").getLong("id");
    alice.expect("message");
    bob.send(change("edit", "general", first).put("text", "oops, secret"));
    acted(bob, "edit");
    alice.expect("edit");
    bob.send(change("delete", "general", first));
    JsonObject delete = acted(bob, "delete");
    assertEquals(first, delete.getLong("target"));
    assertFalse(delete.containsKey("text"));
    assertEquals(delete, alice.expect("delete"));
    long second = bob.say("general", "spam").getLong("id");
    alice.expect("message");
    alice.send(change("delete", "general", second));
    assertEquals("alice", acted(alice, "delete").getString("by"));
    bob.expect("delete");
    JsonObject joined = user("carol").join("general");
    String shown = joined.getJsonArray("history").encode();
    assertFalse(shown.contains("oops") || shown.contains("secret") || shown.contains("spam"), shown);
    JsonObject deleted = only(joined.getJsonArray("history"), first);
    assertTrue(deleted.getBoolean("deleted"));
    assertFalse(deleted.containsKey("text"));
    assertTrue(only(joined.getJsonArray("history"), second).getBoolean("deleted"));
  }

  @Test
  void changes_to_a_missing_or_deleted_message_are_not_found() {
    TestClient alice = user("alice");
    alice.join("general");
    long id = alice.say("general", "hi").getLong("id");
    alice.send(change("edit", "general", 999).put("text", "x")).expectError("not_found");
    alice.send(react("general", 999, "👍", true)).expectError("not_found");
    alice.send(change("delete", "general", id));
    long deletion = acted(alice, "delete").getLong("id");
    alice.send(change("edit", "general", id).put("text", "x")).expectError("not_found");
    alice.send(change("delete", "general", id)).expectError("not_found");
    alice.send(react("general", id, "👍", true)).expectError("not_found");
    alice.send(change("delete", "general", deletion)).expectError("not_found"); // a change is not a message
    alice.send(change("edit", "other", id).put("text", "x")).expectError("not_joined");
    alice.join("general2");
    alice.send(change("edit", "general2", id).put("text", "x")).expectError("not_found"); // ids are per room
    alice.expectNothingQueued();
  }

  @Test
  void reactions_count_who_reacted_and_can_be_taken_back() {
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    long id = alice.say("general", "lunch?").getLong("id");
    bob.expect("message");
    bob.send(react("general", id, "👍", true));
    JsonObject first = acted(bob, "reaction");
    assertEquals(id, first.getLong("target"));
    assertEquals(new JsonObject().put("👍", new JsonArray().add("bob")), first.getJsonObject("reactions"));
    alice.expect("reaction");
    alice.send(react("general", id, "👍", true));
    JsonObject second = acted(alice, "reaction");
    assertEquals(new JsonArray().add("bob").add("alice"), second.getJsonObject("reactions").getJsonArray("👍"));
    bob.expect("reaction");
    // again: an event that changes nothing
    alice.send(react("general", id, "👍", true));
    assertEquals(second.getJsonObject("reactions"), acted(alice, "reaction").getJsonObject("reactions"));
    bob.expect("reaction");
    bob.send(react("general", id, "👍", false));
    assertEquals(new JsonArray().add("alice"), acted(bob, "reaction").getJsonObject("reactions").getJsonArray("👍"));
    alice.expect("reaction");
    alice.send(react("general", id, "two words", true)).expectError("invalid_value");
    JsonObject message = only(user("carol").join("general").getJsonArray("history"), id);
    assertEquals(new JsonObject().put("👍", new JsonArray().add("alice")), message.getJsonObject("reactions"));
    assertEquals("lunch?", message.getString("text"));
  }

  @Test
  void too_many_reactions() {
    restartWith(new JsonObject().put(Settings.REACTIONS_PER_MESSAGE_MAX.name(), 3)
        .put(Settings.REACTIONS_PER_USER_MAX.name(), 2));
    TestClient[] ab = aliceOwnsBobJoins();
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    long id = alice.say("general", "vote").getLong("id");
    bob.expect("message");
    for (String emoji : List.of("1", "2")) {
      alice.send(react("general", id, emoji, true));
      acted(alice, "reaction");
      bob.expect("reaction");
    }
    alice.send(react("general", id, "3", true)).expectError("too_many_reactions");
    bob.send(react("general", id, "3", true));
    acted(bob, "reaction");
    alice.expect("reaction");
    bob.send(react("general", id, "4", true)).expectError("too_many_reactions"); // the message has 3 emoji
    bob.send(react("general", id, "1", true)); // an emoji already there is fine
    assertEquals(3, acted(bob, "reaction").getJsonObject("reactions").size());
    alice.expect("reaction");
    alice.expectNothingQueued();
  }

  @Test
  void edit_window_passed() {
    restartWith(new JsonObject().put(Settings.MAX_EDIT_AGE_S.name(), 1));
    TestClient[] ab = aliceOwnsBobJoins(); // owner: moderates, so deletes at any age
    TestClient alice = ab[0];
    TestClient bob = ab[1];
    long id = bob.say("general", "typo").getLong("id");
    alice.expect("message");
    bob.send(change("edit", "general", id).put("text", "in time"));
    acted(bob, "edit");
    // Edit again until the window has passed (a second after the message), then the refusal is final.
    io.parley.support.Eventually.await(vertx, () -> {
      bob.send(change("edit", "general", id).put("text", "too late?"));
      JsonObject answer = bob.next();
      if ("error".equals(answer.getString("type"))) {
        assertEquals("edit_window_passed", answer.getString("code"), answer::encode);
        return true;
      }
      bob.next(); // the edit's answer and event
      return false;
    }, "the edit window passed");
    alice.send(new JsonObject().put("type", "rooms"));
    alice.expectPast("rooms", "edit"); // the edits in time reached alice
    bob.send(change("delete", "general", id)).expectError("edit_window_passed");
    alice.send(change("delete", "general", id));
    acted(alice, "delete");
  }
}
