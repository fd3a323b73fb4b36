package io.parley.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.fanout.RoomEvent;
import io.parley.metrics.ParleyMetrics;
import io.parley.protocol.ChatMessage;
import io.parley.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backpressure rule, against a transport whose writability the test sets (the real ones are run by
 * {@code SlowConsumerTest} and the bridge tests): hints dropped while full, the rest bounded, then closed once.
 */
class OutboundTest {

  /** A transport that records what it is given; {@code writable} is the test's to set. */
  private static final class Recording implements Transport {
    final List<String> written = new ArrayList<>();
    boolean writable = true;
    int flushes;

    public Kind kind() {
      return Kind.WS;
    }

    public String remoteAddress() {
      return "test";
    }

    public boolean writable() {
      return writable;
    }

    public int write(RoomEvent event, boolean defer) {
      written.add(event.type());
      return 100;
    }

    public int write(String frame) {
      written.add(frame);
      return frame.length();
    }

    public void flush() {
      flushes++;
    }

    public void ping() {
    }

    public void close(short code, String reason) {
    }

    public void drop() {
    }
  }

  private final Recording transport = new Recording();
  private final List<String> closed = new ArrayList<>();
  private final Outbound outbound = new Outbound(transport, 250, ParleyMetrics.disabled(), () -> closed.add("4001"));

  private static RoomEvent message(long id) {
    return RoomEvent.of(new ChatMessage("r", id, "bob", "x", 1, null).toJson());
  }

  @Test
  void while_full_presence_and_typing_are_dropped_and_messages_queued_until_the_bound() {
    transport.writable = false;
    outbound.write(RoomEvent.of(ServerFrames.typing("r", "bob")), false);
    outbound.write(RoomEvent.of(ServerFrames.presence("r", "bob", "join", 1, 1)), false);
    assertEquals(List.of(), transport.written);
    assertEquals(2, outbound.dropped());
    outbound.write(message(1), false);
    outbound.write(message(2), false);
    assertEquals(List.of(), closed, "200 bytes past the full mark: within the bound");
    outbound.write(message(3), false);
    assertEquals(List.of("4001"), closed, "300 bytes past it: too far behind");
    outbound.write(message(4), false);
    outbound.send("{}");
    assertEquals(List.of("message", "message", "message"), transport.written, "nothing after that");
    assertEquals(List.of("4001"), closed, "told once");
  }

  @Test
  void a_drain_resets_the_count() {
    transport.writable = false;
    outbound.write(message(1), false);
    outbound.write(message(2), false);
    transport.writable = true;
    outbound.write(message(3), false);
    transport.writable = false;
    outbound.write(message(4), false);
    outbound.write(message(5), false);
    assertEquals(List.of(), closed);
  }

  @Test
  void deferred_writes_are_flushed_once() {
    outbound.write(message(1), true);
    outbound.write(message(2), true);
    assertEquals(true, outbound.flushPending());
    outbound.flush();
    outbound.flush();
    assertEquals(1, transport.flushes);
  }
}
