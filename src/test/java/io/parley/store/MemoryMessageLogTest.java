package io.parley.store;

import io.vertx.core.Future;

/** The memory store against the contract; it does not outlive the process. */
class MemoryMessageLogTest extends MessageLogContract {

  @Override
  protected Future<MessageLog> open() {
    return Future.succeededFuture(new MemoryMessageLog(500, 120_000));
  }

  @Override
  protected boolean prunes() {
    return false;
  }

  @Override
  protected Future<MessageLog> reopen() {
    return Future.succeededFuture(null);
  }
}
