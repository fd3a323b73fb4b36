package io.parley.bus;

import io.parley.protocol.ClientFrame;

/** A request of a connection to its node's chat service: a validated frame and who asks. Node-local. */
public record ChatRequest(Caller caller, ClientFrame frame) {
}
