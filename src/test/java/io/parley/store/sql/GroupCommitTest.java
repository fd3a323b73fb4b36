package io.parley.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.protocol.ChatMessage;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.parley.store.Appended;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit against a transaction the test completes by hand: one at a time, batches of what waited. */
class GroupCommitTest {

  private final Vertx vertx = Vertx.vertx();
  private final ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
  private final List<List<AppendPlan.Send>> batches = new ArrayList<>();
  private final List<Promise<List<Appended>>> transactions = new ArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private Future<List<Appended>> transaction(List<AppendPlan.Send> batch) {
    batches.add(batch);
    Promise<List<Appended>> done = Promise.promise();
    transactions.add(done);
    return done.future();
  }

  private static List<Appended> stored(List<AppendPlan.Send> batch) {
    List<Appended> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      out.add(new Appended.Stored(new ChatMessage("r", i + 1, "x", batch.get(i).text(), 0, null)));
    }
    return out;
  }

  private <T> T on(java.util.function.Supplier<T> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(call.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  private static AppendPlan.Send send(String text) {
    return new AppendPlan.Send("r", "x", text, null, 0);
  }

  @Test
  void a_lone_send_goes_at_once_and_what_waits_goes_together_next() throws Exception {
    GroupCommit commits = new GroupCommit(context, this::transaction, 100, 1000);
    List<Future<Appended>> results = new ArrayList<>();
    results.add(on(() -> commits.submit(send("first"))));
    assertEquals(1, batches.size(), "the first send did not wait");
    for (int i = 0; i < 5; i++) {
      String text = "next" + i;
      results.add(on(() -> commits.submit(send(text))));
    }
    assertEquals(1, batches.size(), "one transaction at a time");
    on(() -> {
      transactions.get(0).complete(stored(batches.get(0)));
      return null;
    });
    on(() -> null); // the completion's task
    assertEquals(2, batches.size());
    assertEquals(5, batches.get(1).size(), "what waited went together");
    on(() -> {
      transactions.get(1).complete(stored(batches.get(1)));
      return null;
    });
    for (Future<Appended> result : results) {
      assertTrue(result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS) instanceof Appended.Stored);
    }
  }

  @Test
  void batches_are_capped_and_a_full_queue_refuses() throws Exception {
    GroupCommit commits = new GroupCommit(context, this::transaction, 2, 3);
    on(() -> commits.submit(send("a")));
    on(() -> commits.submit(send("b")));
    on(() -> commits.submit(send("c")));
    on(() -> commits.submit(send("d")));
    Future<Appended> refused = on(() -> commits.submit(send("e")));
    ProtocolException e = (ProtocolException) refused.cause();
    assertEquals(ErrorCode.UNAVAILABLE, e.code());
    on(() -> {
      transactions.get(0).complete(stored(batches.get(0)));
      return null;
    });
    on(() -> null);
    assertEquals(2, batches.get(1).size(), "at most COMMIT_BATCH_MAX a transaction");
  }

  @Test
  void a_failed_transaction_fails_its_batch_only() throws Exception {
    GroupCommit commits = new GroupCommit(context, this::transaction, 100, 1000);
    Future<Appended> lost = on(() -> commits.submit(send("a")));
    Future<Appended> next = on(() -> commits.submit(send("b")));
    on(() -> {
      transactions.get(0).fail(new ProtocolException(ErrorCode.UNAVAILABLE, "down"));
      return null;
    });
    on(() -> null);
    assertTrue(lost.failed());
    on(() -> {
      transactions.get(1).complete(stored(batches.get(1)));
      return null;
    });
    assertTrue(next.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS) instanceof Appended.Stored);
  }
}
