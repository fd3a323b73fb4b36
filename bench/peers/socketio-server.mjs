// A Socket.IO 4 chat server, as a peer for the benchmark (bench/run.sh): WebSocket transport only.
// Events: "join" (room, ack) joins the room and acks; "send" {room, text} emits "message" to the whole room,
// the sender included.
// Usage: node socketio-server.mjs [port]   (or PORT=...; 0 = any free port). Prints "listening <port>" when ready.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });
let seq = 0;

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') ack();
  });
  socket.on('send', (m) => {
    io.to(m.room).emit('message', { type: 'message', room: m.room, id: ++seq, from: socket.id, text: m.text, ts: Date.now() });
  });
});

httpServer.listen(port, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
