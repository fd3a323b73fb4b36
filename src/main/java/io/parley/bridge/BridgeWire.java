package io.parley.bridge;

import io.parley.bus.Addresses;
import io.parley.fanout.RoomEvent;
import io.vertx.core.json.JsonObject;

/**
 * The bridge protocol's frames as each bridge writes them (docs/PROTOCOL.md, "Event-bus bridge" and "TCP bridge").
 * The two differ in a few words, kept for their clients: the SockJS bridge's is what {@code vertx-eventbus.js}
 * reads ({@code rec}; refusals in {@code body}), the TCP bridge's what Vert.x's TCP bridge wrote ({@code message};
 * refusals in {@code message}; a {@code pong} for each ping).
 */
enum BridgeWire {

  SOCKJS("rec", "body", false),
  TCP("message", "message", true);

  private final String deliveryType;
  private final String refusalField;
  final boolean answersPing;
  /** A room event as this bridge delivers it to a registered room address, made once per node. */
  final RoomEvent.Encoding<String> event;

  BridgeWire(String deliveryType, String refusalField, boolean answersPing) {
    this.deliveryType = deliveryType;
    this.refusalField = refusalField;
    this.answersPing = answersPing;
    // Room names need no JSON escaping ([A-Za-z0-9_-]): the envelope is the event's JSON, framed.
    this.event = RoomEvent.Encoding.define(e -> "{\"type\":\"" + deliveryType + "\",\"address\":\""
        + Addresses.room(e.room()) + "\",\"body\":" + e.json() + "}");
  }

  /** A frame for the user, to the socket's {@link Addresses#USER} address. */
  String userFrame(String json) {
    return "{\"type\":\"" + deliveryType + "\",\"address\":\"" + Addresses.USER + "\",\"body\":" + json + "}";
  }

  /** The answer to a request: {@code body} to the client's {@code replyAddress}. */
  String reply(String replyAddress, JsonObject body) {
    return new JsonObject().put("type", deliveryType).put("address", replyAddress).put("body", body).encode();
  }

  /** A refused or failed request, to its {@code replyAddress}: {@code 400} and {@code "<error code> <text>"}, say. */
  String failure(String replyAddress, int failureCode, String failureType, String message) {
    return new JsonObject().put("type", "err").put("address", replyAddress).put("failureCode", failureCode)
        .put("failureType", failureType).put("message", message).encode();
  }

  /** A frame refused without a reply address to answer ({@code access_denied}, {@code rejected}...). */
  String refusal(String reason) {
    return new JsonObject().put("type", "err").put(refusalField, reason).encode();
  }

  String pong() {
    return "{\"type\":\"pong\"}";
  }
}
