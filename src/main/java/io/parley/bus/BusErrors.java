package io.parley.bus;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ProtocolException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

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

  /** The refusal inside a failed request, or {@code internal_error} for timeouts and other failures. */
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
    return new ProtocolException(ErrorCode.INTERNAL_ERROR, "the chat service did not answer; try again");
  }
}
