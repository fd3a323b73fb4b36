#!/usr/bin/env python3
"""Chat in a Parley room from Python, through Parley's TCP event-bus bridge, with the standard library only.

    python3 parley_chat.py --host 127.0.0.1 --port 7000 --nick ada --room general

Each line you type is sent to the room; what the room says is printed as it arrives:

    * joined general as ada: alice, ada
    alice: hi ada
    * bob joined

The node must run with TCP_BRIDGE_ENABLED=true (port TCP_BRIDGE_PORT, default 7000). On an untrusted network
it runs with TCP_BRIDGE_AUTH=required (give --api-key, one of its API_KEYS, or --token, a JWT) and
TCP_BRIDGE_TLS_CERT (give --tls, and --ca with the node's certificate if no CA you trust signed it). The protocol
is the Vert.x TCP event-bus bridge's: every frame is a 4-byte big-endian length and then that many bytes of UTF-8
JSON. Addresses and bodies are those of the SockJS bridge (docs/PROTOCOL.md, "Event-bus bridge"):
register chat.room.<room> to hear the room, then send chat.join (which claims the nick) and chat.send.
The example exits 0 when its input ends, 1 when the node refuses or drops it.
"""
import argparse
import itertools
import json
import select
import socket
import ssl
import struct
import sys
import threading

# The answers the bridge gives to no request: the node refused the connection and closes it.
REFUSALS = ("auth_required", "auth_failed", "auth_timeout")

class Bridge:
    """One TCP connection to the bridge: framed JSON out, a reader thread that hands frames to handlers."""

    def __init__(self, host, port, ping_seconds, tls=False, ca=None):
        self.sock = socket.create_connection((host, port))
        if tls or ca:
            # Host names are verified; with --ca, that certificate (PEM) is the one trusted.
            self.sock = ssl.create_default_context(cafile=ca).wrap_socket(self.sock, server_hostname=host)
        self.tls = tls or ca is not None
        self.ping_seconds = ping_seconds
        self.io_lock = threading.Lock()  # writers; over TLS the reader too (_recv)
        self.replies = {}  # replyAddress -> callback(frame)
        self.handlers = {}  # address -> callback(body)
        self.ids = itertools.count(1)
        self.closed = threading.Event()

    def write(self, frame):
        """A failed write (the node closed the connection) is left to the reader: the node says why before it
        closes, and the reader still has that frame to read and report."""
        data = json.dumps(frame).encode("utf-8")
        with self.io_lock:
            try:
                self.sock.sendall(struct.pack(">I", len(data)) + data)
            except OSError:
                pass

    def register(self, address, handler):
        self.handlers[address] = handler
        self.write({"type": "register", "address": address})

    def request(self, address, body, on_reply):
        """Sends a request; on_reply(body, error) is called from the reader thread."""
        reply_address = "py-%d" % next(self.ids)
        self.replies[reply_address] = on_reply
        self.write({"type": "send", "address": address, "body": body, "replyAddress": reply_address})

    def read_forever(self):
        try:
            while True:
                frame = json.loads(self._read_exactly(struct.unpack(">I", self._read_exactly(4))[0]))
                self._dispatch(frame)
        except (ConnectionError, OSError, EOFError, ValueError):
            pass  # ValueError: the socket was closed under select
        finally:
            self.closed.set()

    def _dispatch(self, frame):
        kind, address = frame.get("type"), frame.get("address")
        if kind == "message" and address in self.replies:
            self.replies.pop(address)(frame.get("body"), None)
        elif kind == "message" and address in self.handlers:
            self.handlers[address](frame.get("body"))
        elif kind == "err":
            # A request the chat service refused answers its reply address: failureCode 400 and a message that
            # starts with Parley's error code ("nick_taken nick 'ada' is taken"). Other errors (a frame the
            # bridge refused, "access_denied") name no request.
            callback = self.replies.pop(address, None) if address else None
            message = frame.get("message") or ""
            code = message.split(" ", 1)[0] if frame.get("failureCode") == 400 else frame.get("failureType", message)
            error = {"code": code, "message": message}
            if callback:
                callback(None, error)
            else:
                say("! %s" % error["message"])
                if message in REFUSALS:
                    self.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self._recv(n - len(data))
            if not chunk:
                raise EOFError()
            data += chunk
        return data

    def _recv(self, n):
        """One read. Over TLS, reads and writes take turns under one lock: an OpenSSL connection must not be used
        by two threads at once (a read may write, a write may read). So the reader waits for bytes outside the lock
        and reads inside it without blocking."""
        if not self.tls:
            return self.sock.recv(n)
        while True:
            if self.sock.pending() == 0:
                select.select([self.sock], [], [], 0.2)
            with self.io_lock:
                self.sock.setblocking(False)
                try:
                    return self.sock.recv(n)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    continue  # not a whole TLS record yet
                finally:
                    self.sock.setblocking(True)

    def ping_forever(self):
        while not self.closed.wait(self.ping_seconds):
            self.write({"type": "ping"})


def say(line):
    print(line, flush=True)


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--host", default="127.0.0.1")
    args.add_argument("--port", type=int, default=7000)
    args.add_argument("--nick", required=True)
    args.add_argument("--room", default="general")
    args.add_argument("--ping-seconds", type=float, default=20,
                      help="keep-alive interval; the node closes a connection silent for HEARTBEAT_TIMEOUT_MS (60 s)")
    credential = args.add_mutually_exclusive_group()
    credential.add_argument("--api-key", help="one of the node's API_KEYS, for TCP_BRIDGE_AUTH=required")
    credential.add_argument("--token", help="a JWT, for TCP_BRIDGE_AUTH=required (and for chat.join with JWT_KEY)")
    args.add_argument("--tls", action="store_true", help="the node's TCP bridge speaks TLS (TCP_BRIDGE_TLS_CERT)")
    args.add_argument("--ca", help="trust this certificate (PEM) for TLS; implies --tls")
    options = args.parse_args()

    bridge = Bridge(options.host, options.port, options.ping_seconds, options.tls, options.ca)
    room = options.room

    def on_event(event):
        if event.get("type") == "message" and event.get("from") != options.nick:
            say("%s: %s" % (event["from"], event["text"]))
        elif event.get("type") == "presence" and event.get("nick") != options.nick:
            say("* %s %s" % (event["nick"], "joined" if event["event"] == "join" else "left"))

    joined = threading.Event()

    def on_joined(reply, error):
        if error:
            say("! could not join %s: %s" % (room, error["message"]))
            bridge.close()
            return  # joined stays unset: main exits
        for message in reply["history"]:
            say("%s: %s" % (message["from"], message["text"]))
        say("* joined %s as %s: %s" % (room, options.nick, ", ".join(reply["members"])))
        joined.set()

    def on_sent(reply, error):
        if error:
            say("! not sent: %s" % error["message"])

    threading.Thread(target=bridge.read_forever, daemon=True).start()
    threading.Thread(target=bridge.ping_forever, daemon=True).start()
    # Pipelined: the node serves the frames behind an auth frame once it has checked it, in order. Register the
    # room's address first, then join: nothing said after the join is missed.
    if options.api_key:
        bridge.write({"type": "auth", "apiKey": options.api_key})
    elif options.token:
        bridge.write({"type": "auth", "token": options.token})
    bridge.register("chat.room." + room, on_event)
    join = {"room": room, "nick": options.nick}
    if options.token:
        join["token"] = options.token  # with JWT_KEY set, who you are in chat is the token's too
    bridge.request("chat.join", join, on_joined)

    for _ in range(200):  # 10 s for the join's answer, or the node's refusal
        if joined.wait(0.05) or bridge.closed.is_set():
            break
    if not joined.is_set():
        if not bridge.closed.is_set():
            say("! no answer to the join")
        bridge.close()
        sys.exit(1)
    for line in sys.stdin:
        text = line.strip()
        if text and not bridge.closed.is_set():
            bridge.request("chat.send", {"room": room, "text": text}, on_sent)
    dropped = bridge.closed.wait(1)  # let the last answers arrive
    bridge.close()
    sys.exit(1 if dropped else 0)


if __name__ == "__main__":
    main()
