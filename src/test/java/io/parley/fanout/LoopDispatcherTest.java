package io.parley.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.metrics.ParleyMetrics;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A room bigger than one task's deliveries, on a real event loop: it is handed out in several tasks with the loop's
 * other work in between, every listener still gets every event once, in order, flushed; one that leaves while an event
 * is handed out gets nothing more.
 */
class LoopDispatcherTest {

  private static final String ROOM = "big";
  private static final int LISTENERS = LoopDispatcher.DELIVERIES_PER_TASK * 8;

  private Vertx vertx;
  private ContextInternal context;
  private LoopDispatcher dispatcher;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = (ContextInternal) vertx.getOrCreateContext();
    dispatcher = new LoopDispatcher(context, ParleyMetrics.disabled(), 0);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Records what it was handed and whether each write was flushed before the next. */
  private static final class Recorder implements RoomListener {
    final List<Long> ids = new ArrayList<>();
    boolean waiting;
    Runnable onFirstEvent = () -> { };
    Runnable onThirdFlushed = () -> { };

    @Override
    public boolean onRoomEvent(RoomEvent event) {
      if (ids.isEmpty()) {
        onFirstEvent.run();
      }
      ids.add(event.id());
      boolean first = !waiting;
      waiting = true;
      return first;
    }

    @Override
    public void flush() {
      waiting = false;
      if (ids.size() == 3) {
        onThirdFlushed.run();
      }
    }
  }

  private static RoomEvent message(long id) {
    return RoomEvent.of(new JsonObject().put("type", "message").put("room", ROOM).put("id", id)
        .put("from", "a").put("text", "m" + id));
  }

  @Test
  void a_big_room_is_handed_out_in_order_with_the_loops_work_in_between() throws Exception {
    List<Recorder> recorders = new ArrayList<>();
    Promise<Integer> handedBeforeOtherWork = Promise.promise();
    Promise<Void> allHandedOut = Promise.promise();
    int leaver = LISTENERS / 2;
    int[] handed = {0};
    context.runOnContext(v -> {
      for (int i = 0; i < LISTENERS; i++) {
        Recorder recorder = new Recorder();
        recorder.onFirstEvent = () -> handed[0]++;
        recorders.add(recorder);
        dispatcher.add(ROOM, recorder);
      }
      // The last listener is flushed last: once its third event is, every listener's is.
      recorders.get(LISTENERS - 1).onThirdFlushed = () -> context.runOnContext(w -> allHandedOut.tryComplete());
      // Work that arrives once the hand-out has begun, as a frame read would: it runs before the room is done, and
      // the member it removes leaves while the first event is handed out.
      recorders.get(0).onFirstEvent = () -> {
        handed[0]++;
        context.runOnContext(w -> {
          handedBeforeOtherWork.complete(handed[0]);
          dispatcher.remove(ROOM, recorders.get(leaver));
        });
      };
      for (long id = 1; id <= 3; id++) {
        dispatcher.queue(message(id));
      }
    });
    int before = handedBeforeOtherWork.future().await(10, TimeUnit.SECONDS);
    assertTrue(before <= LoopDispatcher.DELIVERIES_PER_TASK,
        "the loop's other work ran after " + before + " of " + LISTENERS + " deliveries");
    allHandedOut.future().await(10, TimeUnit.SECONDS);

    for (int i = 0; i < LISTENERS; i++) {
      Recorder recorder = recorders.get(i);
      if (i == leaver) {
        assertEquals(List.of(), recorder.ids, "the leaver, who left before its turn");
        continue;
      }
      assertEquals(List.of(1L, 2L, 3L), recorder.ids, "listener " + i);
      assertTrue(!recorder.waiting, "listener " + i + " was flushed");
    }
  }
}
