// The SockJS event-bus bridge with the real npm client (@vertx/eventbus-bridge-client.js), against a real
// two-node cluster: bridge clients on node 0, /ws clients on node 1. Test names match docs/PROTOCOL.md.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { bridge, closeBridge, listen, nextOf, presenceOf, request, unique, wsClient, wsUser } from './support.mjs';

const open = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => (client.socket ? client.close() : closeBridge(client))));
});
const track = (client) => { open.push(client); return client; };

/** A bridge client of node 0 that registered `room` and joined it as `nick`. */
async function joinedBridge(room, nick, options) {
  const eb = track(await bridge(0, options));
  const events = listen(eb, `chat.room.${room}`);
  const { err, body } = await request(eb, 'chat.join', { room, nick });
  assert.equal(err, null);
  return { eb, events, joined: body };
}

/** A /ws client of node 1 that joined `room`. */
async function joinedWs(room, nick) {
  const client = track(await wsUser(1, nick));
  await client.join(room);
  return client;
}

function refusalCode(err) {
  assert.ok(err, 'expected a refusal');
  assert.equal(err.failureCode, 400);
  return err.message.split(' ')[0];
}

test('bridge_join_reply', async () => {
  const room = unique('r');
  const nick = unique('n');
  const { joined } = await joinedBridge(room, nick);
  assert.equal(typeof joined.epoch, 'string');
  delete joined.epoch;
  assert.ok(Number.isSafeInteger(joined.membersVersion) && joined.membersVersion > 0, `${joined.membersVersion}`);
  delete joined.membersVersion;
  assert.deepEqual(joined, { room, members: [nick], history: [], lastId: 0 });
});

test('bridge_send_reaches_ws_clients_on_another_node', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const { eb, events } = await joinedBridge(room, unique('carol'));
  const carol = (await dave.expect('presence')).nick;
  const { err, body } = await request(eb, 'chat.send', { room, text: 'from the bridge', cid: 'c1' });
  assert.equal(err, null);
  assert.deepEqual(Object.keys(body), ['id']);
  const atWs = await dave.expect('message');
  assert.equal(atWs.from, carol);
  assert.equal(atWs.text, 'from the bridge');
  assert.equal(atWs.cid, 'c1');
  assert.equal(atWs.id, body.id);
  assert.deepEqual(await nextOf(events, 'message'), atWs, 'the bridge client gets the very same message JSON');
});

test('bridge_receives_ws_messages_from_another_node', async () => {
  const room = unique('r');
  const { events } = await joinedBridge(room, unique('carol'));
  const dave = await joinedWs(room, unique('dave'));
  const sent = await dave.say(room, 'from /ws on node 1');
  assert.deepEqual(await nextOf(events, 'message'), sent, 'same JSON as the /ws message frame');
});

test('bridge_join_since_resumes', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const ids = [];
  for (let i = 1; i <= 5; i++) ids.push((await dave.say(room, `m${i}`)).id);
  const eb = track(await bridge(0));
  const { err, body } = await request(eb, 'chat.join', { room, nick: unique('carol'), since: ids[2] });
  assert.equal(err, null);
  assert.deepEqual(body.history.map((m) => m.id), ids.slice(3));
  assert.equal(body.recovered, true);
  assert.equal(body.lastId, ids[4]);
});

test('bridge_history_pages_back', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  for (let i = 1; i <= 6; i++) await dave.say(room, `m${i}`);
  const eb = track(await bridge(0));
  const { err, body } = await request(eb, 'chat.history', { room, before: 5, limit: 2 });
  assert.equal(err, null);
  assert.deepEqual(body.messages.map((m) => m.id), [3, 4]);
  assert.equal(body.lastId, 6);
});

test('bridge_rooms_lists_rooms', async () => {
  const room = unique('r');
  const { eb } = await joinedBridge(room, unique('carol'));
  // Pages by name: follow `next` until the room is there.
  let found;
  for (let after; !found;) {
    const { err, body } = await request(eb, 'chat.rooms', after ? { after } : {});
    assert.equal(err, null);
    found = body.rooms.find((r) => r.room === room);
    if (!found && !body.next) break;
    after = body.next;
  }
  assert.equal(typeof found.lastActive, 'number');
  delete found.lastActive;
  assert.deepEqual(found, { room, members: 1, lastId: 0 });
});

test('bridge_send_repeated_cid_is_published_once', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const { eb } = await joinedBridge(room, unique('carol'));
  await dave.expect('presence');
  const first = await request(eb, 'chat.send', { room, text: 'once', cid: 'k1' });
  const again = await request(eb, 'chat.send', { room, text: 'once', cid: 'k1' });
  assert.deepEqual(again.body, { duplicate: true, id: first.body.id });
  await request(eb, 'chat.send', { room, text: 'barrier', cid: 'k2' });
  assert.equal((await dave.expect('message')).text, 'once');
  assert.equal((await dave.expect('message')).text, 'barrier', 'the repeat was not published');
});

test('bridge_typing_and_leave', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const { eb } = await joinedBridge(room, unique('carol'));
  const carol = (await dave.expect('presence')).nick;
  eb.send('chat.typing', { room });
  assert.deepEqual(await dave.expect('typing'), { type: 'typing', room, nick: carol });
  const { err, body } = await request(eb, 'chat.leave', { room });
  assert.equal(err, null);
  assert.deepEqual(body, { room });
  assert.deepEqual(presenceOf(await dave.expect('presence')), { type: 'presence', room, nick: carol, event: 'leave' });
});

test('bridge_presence_reaches_bridge_clients', async () => {
  const room = unique('r');
  const carol = unique('carol');
  const { events } = await joinedBridge(room, carol);
  assert.deepEqual(presenceOf(await nextOf(events, 'presence')), { type: 'presence', room, nick: carol, event: 'join' },
    'unlike /ws, the bridge delivers the room stream as it is, the client\'s own presence included');
  const dave = await joinedWs(room, unique('dave'));
  assert.deepEqual(presenceOf(await nextOf(events, 'presence')), { type: 'presence', room, nick: dave.nick, event: 'join' });
  dave.send({ type: 'typing', room });
  assert.deepEqual(await nextOf(events, 'typing'), { type: 'typing', room, nick: dave.nick });
});

test('bridge_nicks_are_unique_across_transports_and_nodes', async () => {
  const taken = unique('dave');
  track(await wsUser(1, taken));
  const eb = track(await bridge(0));
  const { err } = await request(eb, 'chat.join', { room: unique('r'), nick: taken });
  assert.equal(refusalCode(err), 'nick_taken');

  const bridged = unique('carol');
  await joinedBridge(unique('r'), bridged);
  const other = track(await wsClient(1));
  other.send({ type: 'hello', nick: bridged });
  assert.equal((await other.expect('error')).code, 'nick_taken');
});

test('bridge_refuses_a_foreign_nick', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const { eb } = await joinedBridge(room, unique('carol'));
  await dave.expect('presence');
  const asDave = await request(eb, 'chat.send', { room, text: 'I am dave', nick: dave.nick });
  assert.equal(refusalCode(asDave.err), 'nick_mismatch');
  const joinAsDave = await request(eb, 'chat.join', { room: unique('r'), nick: dave.nick });
  assert.equal(refusalCode(joinAsDave.err), 'nick_mismatch');
  // Nothing was published: dave's next frame is his own message.
  assert.equal((await dave.say(room, 'barrier')).text, 'barrier');
});

test('bridge_ignores_a_forged_conn', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const { eb } = await joinedBridge(room, unique('carol'));
  const carol = (await dave.expect('presence')).nick;
  const { err } = await request(eb, 'chat.send', { room, text: 'forged', conn: 'someone-else' });
  assert.equal(err, null);
  assert.equal((await dave.expect('message')).from, carol, 'the socket, not the body, says who sends');
});

test('bridge_refuses_a_room_not_joined', async () => {
  const room = unique('r');
  const elsewhere = unique('r');
  const dave = await joinedWs(elsewhere, unique('dave'));
  const { eb } = await joinedBridge(room, unique('carol'));
  const send = await request(eb, 'chat.send', { room: elsewhere, text: 'not a member' });
  assert.equal(refusalCode(send.err), 'not_joined');
  const leave = await request(eb, 'chat.leave', { room: elsewhere });
  assert.equal(refusalCode(leave.err), 'not_joined');
  const typing = await request(eb, 'chat.typing', { room: elsewhere });
  assert.equal(refusalCode(typing.err), 'not_joined');
  assert.equal((await dave.say(elsewhere, 'barrier')).text, 'barrier', 'nothing reached the room');
});

test('bridge_requires_a_nick_before_anything_else', async () => {
  const eb = track(await bridge(0));
  const { err } = await request(eb, 'chat.send', { room: unique('r'), text: 'who am I' });
  assert.equal(refusalCode(err), 'hello_required');
});

test('bridge_bad_input_gets_an_error_code', async () => {
  const { eb } = await joinedBridge(unique('r'), unique('carol'));
  const cases = [
    ['chat.join', {}, 'missing_field'],
    ['chat.join', { room: 'no spaces' }, 'invalid_room'],
    ['chat.join', { room: unique('r'), since: 'x' }, 'wrong_type'],
    ['chat.join', { room: unique('r'), nick: 7 }, 'wrong_type'],
    ['chat.send', { room: 'x', text: ' ' }, 'empty_text'],
    ['chat.send', { room: 'x', text: 'y'.repeat(5000) }, 'text_too_long'],
    ['chat.send', 'not an object', 'missing_field'],
    ['chat.history', { room: 'x', limit: 0 }, 'invalid_value'],
  ];
  for (const [address, body, code] of cases) {
    const { err } = await request(eb, address, body);
    assert.equal(refusalCode(err), code, `${address} ${JSON.stringify(body).slice(0, 60)}`);
  }
});

test('bridge_refuses_unknown_addresses_inbound', async () => {
  const room = unique('r');
  const { eb } = await joinedBridge(room, unique('carol'));
  const forbidden = ['chat.hello', 'chat.disconnect', 'chat.purge-node', 'chat.history-range', 'chat.last-id', 'fanout.rooms',
    `chat.room.${room}`, 'anything.else'];
  for (const address of forbidden) {
    eb.send(address, { room, nick: 'x', conn: 'x', node: 'x' }, () => assert.fail(`${address} answered`));
    assert.equal((await eb.errors.take(`refusal of ${address}`)).body, 'access_denied', address);
  }
  eb.publish('chat.send', { room, text: 'published' });
  assert.equal((await eb.errors.take('refusal of a publish')).body, 'rejected');
});

test('bridge_refuses_unknown_addresses_outbound', async () => {
  const room = unique('r');
  const { eb, events } = await joinedBridge(room, unique('carol'));
  const forbidden = ['fanout.rooms', 'chat.join', 'chat.room.no spaces', 'chat.room.', 'anything.else'];
  const leaked = [];
  for (const address of forbidden) {
    eb.registerHandler(address, (err, message) => leaked.push([address, err || message]));
    assert.equal((await eb.errors.take(`refusal of ${address}`)).body, 'access_denied', address);
  }
  await request(eb, 'chat.send', { room, text: 'after the refusals' });
  assert.equal((await nextOf(events, 'message')).text, 'after the refusals');
  assert.deepEqual(leaked, [], 'nothing reached a refused registration');
});

test('bridge_register_then_join_misses_nothing', async () => {
  // A /ws client on the other node keeps sending while bridge clients register and join without waiting:
  // each gets history up to its lastId and then every later message, each once, with no gap.
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  let sending = true;
  let sent = 0;
  const traffic = (async () => {
    while (sending && sent < 400) {
      dave.send({ type: 'send', room, text: `m${++sent}` });
      await dave.expectPast('message', 'presence');
    }
  })();
  const clients = [];
  for (let i = 0; i < 5; i++) {
    const eb = track(await bridge(0));
    const events = listen(eb, `chat.room.${room}`);
    const joined = request(eb, 'chat.join', { room, nick: unique('reader') }); // no wait between the two
    clients.push({ events, joined: await joined });
    assert.equal(clients[i].joined.err, null);
  }
  sending = false;
  await traffic;
  for (const { events, joined } of clients) {
    const history = joined.body.history.map((m) => m.id);
    let expected = joined.body.lastId + 1;
    if (history.length > 0) assert.equal(history[history.length - 1], joined.body.lastId);
    while (expected <= sent) {
      const message = await nextOf(events, 'message');
      if (message.id <= joined.body.lastId) continue; // arrived before the reply: in history already
      assert.equal(message.id, expected, `after lastId ${joined.body.lastId}: no gap, no duplicate`);
      expected++;
    }
  }
  assert.ok(sent >= 5, `traffic ran during the joins (${sent} messages)`);
});

test('bridge_max_handlers_per_socket', async () => {
  // BRIDGE_MAX_HANDLERS (64 by default) counts registrations and requests awaiting their reply.
  const eb = track(await bridge(0));
  const rooms = Array.from({ length: 64 }, () => unique('r'));
  rooms.forEach((room) => listen(eb, `chat.room.${room}`));
  eb.registerHandler(`chat.room.${unique('r')}`, () => {});
  assert.equal((await eb.errors.take('refusal of the 65th registration')).body, 'max_handlers_reached');
  eb.unregisterHandler(`chat.room.${rooms[0]}`, eb.handlers[`chat.room.${rooms[0]}`][0]);
  const { err } = await request(eb, 'chat.join', { room: rooms[1], nick: unique('carol') });
  assert.equal(err, null, 'one freed registration makes room for a request');
});

for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling']) {
  test(`bridge_transport_${transport.replace('-', '_')}`, async () => {
    const room = unique('r');
    const dave = await joinedWs(room, unique('dave'));
    const { eb, events } = await joinedBridge(room, unique('carol'), { transports: [transport] });
    assert.equal(eb.sockJSConn.transport, transport);
    await dave.expect('presence');
    await request(eb, 'chat.send', { room, text: `over ${transport}` });
    assert.equal((await dave.expect('message')).text, `over ${transport}`);
    assert.equal((await nextOf(events, 'message')).text, `over ${transport}`);
    const back = await dave.say(room, 'and back');
    assert.deepEqual(await nextOf(events, 'message'), back);
  });
}

test('bridge_message_over_the_frame_limit_closes_the_socket', async () => {
  // Over SockJS's WebSocket transport a message over WS_MAX_FRAME_SIZE is dropped by the transport; the bridge then
  // closes the socket (rather than leave it deaf), and the room carries on. (Over XHR: HTTP 413, and the client
  // closes.)
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave'));
  const nick = unique('carol');
  const { eb } = await joinedBridge(room, nick, { transports: ['websocket'] });
  await dave.expect('presence');
  const closed = new Promise((resolve) => { eb.onclose = resolve; });
  eb.send('chat.send', { room, text: 'x'.repeat(100_000) });
  await closed;
  assert.deepEqual(presenceOf(await dave.expect('presence')), { type: 'presence', room, nick, event: 'leave' });
  assert.equal((await dave.say(room, 'still here')).text, 'still here');
});

test('bridge_close_releases_the_nick_and_leaves_rooms', async () => {
  const room = unique('r');
  const nick = unique('carol');
  const dave = await joinedWs(room, unique('dave'));
  const { eb } = await joinedBridge(room, nick);
  await dave.expect('presence');
  await closeBridge(eb);
  assert.deepEqual(presenceOf(await dave.expect('presence')), { type: 'presence', room, nick, event: 'leave' });
  const again = await joinedBridge(room, nick);
  assert.deepEqual(again.joined.members, [dave.nick, nick].sort());
});
