// The plain `ws` broadcast server a user would write, as a peer for the benchmark (bench/run.sh).
// Protocol: {"type":"join","room":r} -> {"type":"joined","room":r}; {"type":"send","room":r,"text":t} -> every member
// of r, the sender included, gets {"type":"message",room,id,from,text,ts}.
// Usage: node ws-server.mjs [port]   (or PORT=...; 0 = any free port). Prints "listening <port>" when ready.
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const rooms = new Map(); // room -> Set of sockets
const roomSeq = new Map(); // room -> last message id
let nextConnId = 0;

const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws) => {
  const connId = ++nextConnId;
  const joined = new Set();

  ws.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'join') {
      if (!rooms.has(frame.room)) rooms.set(frame.room, new Set());
      rooms.get(frame.room).add(ws);
      joined.add(frame.room);
      ws.send(JSON.stringify({ type: 'joined', room: frame.room }));
    } else if (frame.type === 'send' && joined.has(frame.room)) {
      const id = (roomSeq.get(frame.room) ?? 0) + 1;
      roomSeq.set(frame.room, id);
      // encoded once, written to every member
      const message = JSON.stringify({ type: 'message', room: frame.room, id, from: connId, text: frame.text, ts: Date.now() });
      for (const member of rooms.get(frame.room)) member.send(message);
    }
  });

  ws.on('close', () => {
    for (const room of joined) rooms.get(room).delete(ws);
  });
});

wss.on('listening', () => console.log(`listening ${wss.address().port}`));
