package io.parley.bus;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Carries a {@link ProtocolException} across the event bus as a failed reply whose message is
 * {@code "<code> <description>"}, and turns it back into one on the requesting side.
 */
public final class BusErrors {

  /** Failure code of a refusal; anything else (timeouts, no handler) is a server-side problem. */
  public static final int REFUSED = 400;

  private BusErrors() {
  }

  public static void fail(Message<?> message, ProtocolException e) {
    message.fail(REFUSED, describe(e));
  }

  /** A refusal as it travels, and as bridge clients read it: {@code "<code> <description>"}. */
  public static String describe(ProtocolException e) {
    return e.code().code() + " " + e.getMessage();
  }

  /**
   * The refusal inside a failed request; {@code unavailable} for a request not answered in time (it may still be
   * done), {@code internal_error} for other failures.
   */
  public static ProtocolException toProtocolException(Throwable failure) {
    if (failure instanceof ProtocolException refusal) {
      return refusal;
    }
    if (failure instanceof ReplyException re && re.failureCode() == REFUSED && re.getMessage() != null) {
      String text = re.getMessage();
      int space = text.indexOf(' ');
      String code = space < 0 ? text : text.substring(0, space);
      String description = space < 0 ? code : text.substring(space + 1);
      return new ProtocolException(ErrorCode.fromCode(code), description);
    }
    if (failure instanceof ReplyException re && (re.failureType() == ReplyFailure.TIMEOUT
        || re.failureType() == ReplyFailure.NO_HANDLERS)) {
      // Not answered in time is not "not done": the chat service may still do it (a send queued behind a slow
      // commit is stored later). Unavailable says so; a retry with the same cid is safe.
      return new ProtocolException(ErrorCode.UNAVAILABLE,
          "the chat service did not answer in time; it may still be done: try again (a send with the same cid)");
    }
    return new ProtocolException(ErrorCode.INTERNAL_ERROR, "the chat service failed; try again");
  }
}
