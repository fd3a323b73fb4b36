package io.parley.protocol;

/** A client frame that Parley refuses, with the error code to answer. Carries no stack trace: it is expected. */
public final class ProtocolException extends RuntimeException {

  private final ErrorCode code;
  private final String ref;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ProtocolException(ErrorCode code, String message, String ref) {
    super(message, null, false, false);
    this.code = code;
    this.ref = ref;
  }

  public ErrorCode code() {
    return code;
  }

  /** The {@code ref} of the refused frame, when it had a valid one, so the error frame can echo it. */
  public String ref() {
    return ref;
  }

  /** Anything but {@code hello} before a nick (on the bridge, a join with a nick) was claimed. */
  public static ProtocolException helloRequired() {
    return new ProtocolException(ErrorCode.HELLO_REQUIRED, "say hello first (on the bridge: join with a nick)");
  }

  public ProtocolException withRef(String ref) {
    return ref == null ? this : new ProtocolException(code, getMessage(), ref);
  }
}
