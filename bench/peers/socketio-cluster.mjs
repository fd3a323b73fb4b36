// The Socket.IO peer (socketio-server.mjs) as a cluster: N worker processes share one port (Node's cluster
// module; the WebSocket-only transport needs no sticky sessions), and @socket.io/cluster-adapter relays
// broadcasts through the primary, so a room spans every worker.
// Usage: node socketio-cluster.mjs [workers] [port]   (0 = any free port). When every worker listens it prints
// "pids <primary>,<worker>,..." then "listening <port>".
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter, setupPrimary } from '@socket.io/cluster-adapter';

const workers = Number(process.argv[2] ?? 3);
const port = Number(process.argv[3] ?? process.env.PORT ?? 0);

if (cluster.isPrimary) {
  setupPrimary();
  const pids = [process.pid];
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    pids.push(worker.process.pid);
    worker.on('listening', (address) => {
      if (++listening === workers) {
        console.log(`pids ${pids.join(',')}`);
        console.log(`listening ${address.port}`);
      }
    });
  }
  cluster.on('exit', (worker, code) => {
    console.error(`worker ${worker.process.pid} exited (${code})`);
    process.exit(1);
  });
} else {
  const httpServer = createServer();
  const io = new Server(httpServer, { transports: ['websocket'], serveClient: false, adapter: createAdapter() });
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
  // with port 0, the workers all get the same free port: the primary picks it once
  httpServer.listen(port, '127.0.0.1');
}
