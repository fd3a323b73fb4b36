package io.parley.bus;

import io.parley.protocol.ClientFrame;
import io.vertx.core.json.JsonObject;

/**
 * A server API operation for the chat service ({@link Addresses#SERVER_API}): {@code op}, the room it is about (if
 * any), the user frame whose rules checked its fields (if it has one: {@code send}, {@code kick}, {@code history}...)
 * and the fields no frame has ({@code bot}, {@code owner}, {@code members}...). Validated by the API; node-local.
 */
public record BackendRequest(String op, String room, ClientFrame frame, JsonObject fields) {

  public BackendRequest {
    fields = fields == null ? new JsonObject() : fields;
  }
}
