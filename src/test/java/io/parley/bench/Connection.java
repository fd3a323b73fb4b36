package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.BitSet;

/**
 * One client connection, member of one room: opens its session through the {@link Protocol}, then hands every
 * delivery to {@link Stats} and keeps, per sender of its room, which of that sender's messages arrived.
 */
final class Connection {

  /** What {@link #arrived} found. */
  static final int NEW = 0;
  static final int DUPLICATE = 1;
  static final int OUT_OF_ORDER = 2;

  private final int index;
  private final int roomIndex;
  private final String room;
  private final Protocol protocol;
  private final Stats stats;
  private final byte[] deliveryPrefix;
  private final boolean batched;
  private final Promise<Void> joined = Promise.promise();
  // indexed by the sender's slot in the room (sender j has slot j / rooms)
  private final BitSet[] seen;
  private final int[] highest;
  private WebSocket socket;
  private boolean closing;

  Connection(int index, int rooms, int sendersInRoom, Protocol protocol, Stats stats) {
    this.index = index;
    this.roomIndex = index % rooms;
    this.room = "r" + roomIndex;
    this.protocol = protocol;
    this.stats = stats;
    this.deliveryPrefix = protocol.deliveryPrefix(room);
    this.batched = protocol.batches();
    this.seen = new BitSet[sendersInRoom];
    this.highest = new int[sendersInRoom];
    for (int slot = 0; slot < sendersInRoom; slot++) {
      seen[slot] = new BitSet();
      highest[slot] = -1;
    }
  }

  int index() {
    return index;
  }

  int roomIndex() {
    return roomIndex;
  }

  String room() {
    return room;
  }

  /** Opens the session on a fresh WebSocket; completes once the room is joined. */
  Future<Void> start(WebSocket webSocket) {
    socket = webSocket;
    // handler(): each data frame's bytes as they are, without the String decoding of textMessageHandler
    socket.handler(this::frame);
    socket.closeHandler(v -> closed());
    protocol.open(this);
    return joined.future();
  }

  /** Closes the socket (not counted as a disconnect by the server). */
  Future<Void> close() {
    closing = true;
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  void write(String frame) {
    socket.writeTextMessage(frame);
  }

  void joined() {
    joined.tryComplete();
  }

  void failed(String why) {
    joined.tryFail(why);
  }

  /** Records that message {@code seq} of the sender in {@code slot} arrived: NEW, DUPLICATE or OUT_OF_ORDER. */
  int arrived(int slot, int seq) {
    BitSet bits = seen[slot];
    if (bits.get(seq)) {
      return DUPLICATE;
    }
    bits.set(seq);
    if (seq < highest[slot]) {
      return OUT_OF_ORDER;
    }
    highest[slot] = seq;
    return NEW;
  }

  boolean hasSlot(int slot) {
    return slot < seen.length;
  }

  private void frame(Buffer data) {
    if (batched) {
      boolean deliveries = false;
      for (int at = indexOf(data, deliveryPrefix, 0); at >= 0; at = indexOf(data, deliveryPrefix, at)) {
        at = stats.delivery(this, data, at + deliveryPrefix.length);
        deliveries = true;
      }
      // once joined, a batch's other frames (presence, replies to sends) are not needed
      if (!deliveries || !joined.future().isComplete()) {
        protocol.control(this, data.toString());
      }
    } else if (startsWith(data, deliveryPrefix)) {
      stats.delivery(this, data, deliveryPrefix.length);
    } else {
      protocol.control(this, data.toString());
    }
  }

  private static int indexOf(Buffer data, byte[] part, int from) {
    int last = data.length() - part.length;
    outer:
    for (int i = from; i <= last; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data.getByte(i + j) != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void closed() {
    if (!joined.tryFail("closed before joining (" + socket.closeStatusCode() + " " + socket.closeReason() + ")")
        && !closing) {
      stats.disconnected(this, socket.closeStatusCode());
    }
  }

  private static boolean startsWith(Buffer data, byte[] prefix) {
    if (data.length() < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data.getByte(i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
