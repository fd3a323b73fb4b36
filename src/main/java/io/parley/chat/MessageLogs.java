package io.parley.chat;

import java.security.SecureRandom;

/** How epochs and sent-cid keys are made, the same for every {@link MessageLog}. */
public final class MessageLogs {

  private static final SecureRandom RANDOM = new SecureRandom();

  private MessageLogs() {
  }

  /** A new epoch: its start time and a random part, in base 36, so that two starts never share one. */
  public static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }

  /** The key of a sender's cid in a room; the separators cannot occur in rooms and nicks. */
  public static String cidKey(String room, String nick, String cid) {
    return room + "/" + nick + "/" + cid;
  }
}
