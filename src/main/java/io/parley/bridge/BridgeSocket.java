package io.parley.bridge;

import io.parley.http.ConnectionLimiter;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/** What {@link BridgeConnections} needs of a bridge socket, whichever bridge carries it. */
interface BridgeSocket {

  /** The transport's socket object, which keeps its identity across a socket's events. */
  Object key();

  /** The client's address, for the per-address connection limit. */
  String clientAddress(ConnectionLimiter limiter);

  void setWriteQueueMaxSize(int bytes);

  boolean writeQueueFull();

  /** Whether the bridge tells of the socket's creation and closing (SockJS does; the TCP bridge does not). */
  boolean announcesLifecycle();

  /** Runs {@code action} once the socket has closed (for a bridge that does not announce it). */
  void onClose(Runnable action);

  /** Whether the bridge itself enforces BRIDGE_MAX_HANDLERS (SockJS does, answering max_handlers_reached). */
  boolean bridgeLimitsHandlers();

  /** Closes it with a close code of {@code CloseCodes} where the transport carries one (SockJS), else plainly. */
  void close(short code, String reason);

  static BridgeSocket of(SockJSSocket socket) {
    return new BridgeSocket() {
      public Object key() {
        return socket;
      }

      public String clientAddress(ConnectionLimiter limiter) {
        return limiter.clientAddress(socket.remoteAddress(), socket.headers());
      }

      public void setWriteQueueMaxSize(int bytes) {
        socket.setWriteQueueMaxSize(bytes);
      }

      public boolean writeQueueFull() {
        return socket.writeQueueFull();
      }

      public boolean bridgeLimitsHandlers() {
        return true;
      }

      public boolean announcesLifecycle() {
        return true;
      }

      public void onClose(Runnable action) {
        throw new UnsupportedOperationException("the SockJS bridge announces SOCKET_CLOSED");
      }

      public void close(short code, String reason) {
        socket.close(code, reason);
      }
    };
  }

  /** A TCP bridge connection: no HTTP headers, so its address is the peer's (no X-Forwarded-For). */
  static BridgeSocket of(NetSocket socket) {
    return new BridgeSocket() {
      public Object key() {
        return socket;
      }

      public String clientAddress(ConnectionLimiter limiter) {
        return limiter.clientAddress(socket.remoteAddress(), io.vertx.core.MultiMap.caseInsensitiveMultiMap());
      }

      public void setWriteQueueMaxSize(int bytes) {
        socket.setWriteQueueMaxSize(bytes);
      }

      public boolean writeQueueFull() {
        return socket.writeQueueFull();
      }

      public boolean bridgeLimitsHandlers() {
        return false;
      }

      public boolean announcesLifecycle() {
        return false;
      }

      public void onClose(Runnable action) {
        socket.closeHandler(v -> action.run()); // the bridge itself sets the end and exception handlers
      }

      public void close(short code, String reason) {
        socket.close();
      }
    };
  }
}
