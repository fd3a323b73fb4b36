// The bridge and /ws through the compose load balancer's nginx config (run by LoadBalancerTest on loopback):
// PARLEY_PORTS is nginx's port, then a node's own. Every SockJS transport passes nginx, and the nodes' Origin
// check still tells the page's own origin from another site's.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { bridge, closeBridge, listen, nextOf, ports, request, unique, wsUser } from './support.mjs';

const BALANCER = ports[0];
const open = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => (client.socket ? client.close() : closeBridge(client))));
});

for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling']) {
  test(`balancer_bridge_transport_${transport.replace('-', '_')}`, async () => {
    const room = unique('r');
    const dave = await wsUser(1, unique('dave'));
    open.push(dave);
    await dave.join(room);
    const eb = await bridge(0, { transports: [transport] });
    open.push(eb);
    assert.equal(eb.sockJSConn.transport, transport);
    const events = listen(eb, `chat.room.${room}`);
    assert.equal((await request(eb, 'chat.join', { room, nick: unique('carol') })).err, null);
    await dave.expect('presence');
    const back = await dave.say(room, 'through nginx');
    assert.deepEqual(await nextOf(events, 'message'), back);
    await request(eb, 'chat.send', { room, text: `over ${transport}` });
    assert.equal((await dave.expect('message')).text, `over ${transport}`);
  });
}

function status(path, origin) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: BALANCER, path, headers: origin ? { Origin: origin } : {} },
      (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
  });
}

function upgradeStatus(origin) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${BALANCER}/ws`, { origin });
    socket.on('open', () => { socket.close(); resolve(101); });
    socket.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
  });
}

test('balancer_keeps_the_origin_check', async () => {
  const own = `http://127.0.0.1:${BALANCER}`;
  assert.equal(await status('/eventbus/info', own), 200);
  assert.equal(await status('/eventbus/info', 'http://evil.example'), 403);
  assert.equal(await upgradeStatus(own), 101);
  assert.equal(await upgradeStatus('http://evil.example'), 403);
});
