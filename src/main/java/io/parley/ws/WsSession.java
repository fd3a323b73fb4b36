package io.parley.ws;

import io.parley.bus.BusErrors;
import io.parley.bus.SendResult;
import io.parley.config.ParleyConfig;
import io.parley.config.Settings;
import io.parley.connection.Connection;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameParser;
import io.parley.protocol.Names;
import io.parley.protocol.ProtocolException;
import io.parley.protocol.ServerFrames;
import io.vertx.core.json.JsonObject;

/**
 * The {@code /ws} protocol on one WebSocket (docs/PROTOCOL.md): text frames in, parsed and checked by
 * {@link FrameParser}, turned into requests of the connection core ({@link Connection}); answers out as {@code /ws}
 * frames. Its own rules are the protocol's: {@code hello} comes first, and {@code hello} and {@code join} are
 * answered before the next frame is read, so that a client may pipeline {@code hello}, {@code join}, {@code send}.
 * Confined to the socket's event loop.
 */
final class WsSession {

  private final WsTransport socket;
  private final Connection connection;
  private final ParleyConfig config;
  private final String node;

  WsSession(WsTransport socket, Connection connection, ParleyConfig config, String node) {
    this.socket = socket;
    this.connection = connection;
    this.config = config;
    this.node = node;
  }

  /** A whole text message, at most {@code WS_MAX_FRAME_SIZE} bytes (the transport closed over-sized ones). */
  void onText(String text) {
    connection.heard();
    if (!connection.isOpen()) {
      return; // closing: nothing more is handled
    }
    try {
      handle(text);
    } catch (RuntimeException e) {
      connection.crashed(e);
    }
  }

  void onBinary() {
    connection.heard();
    ProtocolException refused = connection.overLimit(null);
    refuse(refused != null ? refused : new ProtocolException(ErrorCode.BINARY_NOT_SUPPORTED, "send JSON in text frames"));
  }

  private void handle(String text) {
    ProtocolException limited = connection.overLimit(null);
    ClientFrame frame;
    try {
      frame = connection.parser().parse(text);
    } catch (ProtocolException e) {
      refuse(limited != null ? limited.withRef(e.ref()) : e);
      return;
    }
    if (limited != null) {
      refuse(limited.withRef(frame.ref())); // refused unseen: nothing it asked for happens
    } else if (connection.nick() == null && !(frame instanceof ClientFrame.Hello)) {
      refuse(ProtocolException.helloRequired().withRef(frame.ref()));
    } else if (frame instanceof ClientFrame.Hello hello) {
      hello(hello);
    } else if (frame instanceof ClientFrame.Join join) {
      join(join);
    } else if (frame instanceof ClientFrame.Leave leave) {
      connection.unfollow(leave.room()); // at once: no room events after `left`, and a join after it starts afresh
      connection.<JsonObject>ask(leave).onComplete(done -> answer("left", leave, done.result(), done.cause()));
    } else if (frame instanceof ClientFrame.Send send) {
      // The message itself comes back through the room like everyone else's: that is the sender's ack.
      connection.<SendResult>ask(send).onSuccess(result -> {
        if (result instanceof SendResult.Repeated repeated && repeated.message() != null) {
          connection.echo(repeated.message());
        }
      }).onFailure(failure -> refuse(failure, send));
    } else if (frame instanceof ClientFrame.Typing typing) {
      connection.ask(typing).onFailure(failure -> refuse(failure, typing));
    } else {
      // rooms, history, invite, remove, read, and the changes to a room (done): answered as they are
      String answer = frame instanceof ClientFrame.Invite ? "invited" : frame instanceof ClientFrame.Remove ? "removed"
          : frame instanceof ClientFrame.Moderate || frame instanceof ClientFrame.ChangeMessage ? "done"
          : frame.type();
      connection.<JsonObject>ask(frame).onComplete(done -> answer(answer, frame, done.result(), done.cause()));
    }
  }

  private void hello(ClientFrame.Hello hello) {
    socket.pause();
    connection.<JsonObject>ask(hello)
        .map(reply -> {
          connection.identified(reply.getString("nick"));
          return new JsonObject().put("nick", connection.nick()).put("session", reply.getString("session"))
              .put("node", node).put("limits", limits());
        })
        .onComplete(done -> {
          answer("welcome", hello, done.result(), done.cause());
          socket.resume();
        });
  }

  private JsonObject limits() {
    return new JsonObject()
        .put("maxFrameSize", config.get(Settings.WS_MAX_FRAME_SIZE))
        .put("maxTextLength", config.get(Settings.MAX_TEXT_LENGTH))
        .put("historyPageMax", config.get(Settings.HISTORY_PAGE_MAX));
  }

  /**
   * Follows the room first, holding its events, then asks for the snapshot: events published between the two are
   * neither lost nor duplicated (the connection's {@code RoomCursor} merges them).
   */
  private void join(ClientFrame.Join join) {
    // A direct conversation's room is named by its two users: known here, so followed before the join like any.
    String room = join.with() != null ? Names.directRoom(connection.nick(), join.with()) : join.room();
    boolean followedBefore = connection.follows(room);
    socket.pause();
    connection.follow(room, true)
        .compose(v -> connection.<JsonObject>ask(join))
        .onComplete(done -> {
          if (done.succeeded()) {
            answer("joined", join, done.result(), null);
            connection.joined(room, done.result().getLong("lastId"), done.result().getLong("membersVersion"));
          } else {
            refuse(done.cause(), join);
            connection.joinFailed(room, followedBefore);
          }
          socket.resume();
        });
  }

  /** Writes the answer to {@code frame}: a frame of {@code type} with its fields, or the refusal. */
  private void answer(String type, ClientFrame frame, JsonObject fields, Throwable failure) {
    if (failure != null) {
      refuse(failure, frame);
    } else {
      fields.remove("type"); // the fields of frames that are also sent to other connections carry it
      connection.send(ServerFrames.reply(type, frame.ref(), fields).encode());
    }
  }

  private void refuse(Throwable failure, ClientFrame frame) {
    refuse(BusErrors.toProtocolException(failure).withRef(frame.ref()));
  }

  private void refuse(ProtocolException e) {
    connection.send(ServerFrames.error(e).encode());
  }
}
