package io.parley.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.ParleyServerTest;
import io.parley.support.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Many members on every event loop of the node, all sending at once: each member receives every message of
 * the room exactly once, in id order, with ids 1..N and nothing from other rooms.
 */
class FanoutOrderTest extends ParleyServerTest {

  private static final int MEMBERS = 12;
  private static final int MESSAGES_EACH = 25;

  @Test
  void every_member_gets_every_message_once_in_id_order() {
    List<TestClient> members = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      TestClient member = user("m" + i);
      member.join("busy");
      members.add(member);
    }
    TestClient outsider = user("outsider");
    outsider.join("quiet");

    // Everyone has joined; drain the presence frames each saw of later joiners.
    for (int i = 0; i < MEMBERS; i++) {
      for (int later = i + 1; later < MEMBERS; later++) {
        assertEquals("presence", members.get(i).expect("presence").getString("type"));
      }
    }

    for (int n = 0; n < MESSAGES_EACH; n++) {
      for (TestClient member : members) {
        member.send(new JsonObject().put("type", "send").put("room", "busy")
            .put("text", member.nick() + ":" + n).put("cid", member.nick() + "-" + n));
      }
    }

    int total = MEMBERS * MESSAGES_EACH;
    for (TestClient member : members) {
      Map<String, Integer> nextFromSender = new HashMap<>();
      for (long id = 1; id <= total; id++) {
        JsonObject message = member.expect("message");
        assertEquals(id, message.getLong("id"), "ids arrive in order without gaps");
        assertEquals("busy", message.getString("room"));
        // Each sender's own messages keep the order in which it sent them.
        String from = message.getString("from");
        int expected = nextFromSender.merge(from, 1, Integer::sum) - 1;
        assertEquals(from + ":" + expected, message.getString("text"));
      }
    }
    // Nothing leaked into the other room: the outsider's next frame is its own message, id 1.
    assertEquals(1L, outsider.say("quiet", "still quiet").getLong("id"));
  }
}
