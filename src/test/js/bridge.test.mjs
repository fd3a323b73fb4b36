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
  assert.deepEqual(joined, { room, members: [nick], memberCount: 1, history: [], lastId: 0, kind: 'public', read: 0,
    unread: 0, nick, owner: nick, role: 'owner', moderators: [] },
  'the creator of a room owns it (docs/PROTOCOL.md, "Roles")');
});

test('bridge_members_page', async () => {
  const room = unique('r');
  const nick = unique('n');
  const { eb, joined } = await joinedBridge(room, nick);
  const { err, body } = await request(eb, 'chat.members', { room, limit: 10 });
  assert.equal(err, null);
  assert.deepEqual(body, { room, members: [nick], count: 1, version: joined.membersVersion },
    'one page holds the whole room: no next');
  const refused = await request(eb, 'chat.members', { room, limit: 'ten' });
  assert.equal(refused.err.message.split(' ')[0], 'wrong_type');
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
  const nick = unique('carol');
  const { eb } = await joinedBridge(room, nick);
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
  assert.deepEqual(found, { room, kind: 'public', members: 1, lastId: 0, read: 0, unread: 0, owner: nick },
    'an identified socket gets its read marker and unread count; a public room has no access list, and its creator owns it');
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
  const forbidden = ['chat.follow', 'chat.disconnect', 'chat.purge-node', 'chat.history-range', 'chat.last-id', 'fanout.rooms',
    'users.events', 'chat.user', `chat.room.${room}`, 'anything.else'];
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
  const forbidden = ['fanout.rooms', 'users.events', 'chat.join', 'chat.room.no spaces', 'chat.room.', 'anything.else'];
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

// On SockJS's WebSocket transport a room event is framed once per node by Parley, not per socket by SockJS: any text
// must come out as SockJS's own escaping would have carried it, on either transport.
for (const transport of ['websocket', 'xhr-streaming']) {
  test(`bridge_room_events_carry_any_text_${transport.replace('-', '_')}`, async () => {
    const room = unique('r');
    const { events } = await joinedBridge(room, unique('carol'), { transports: [transport] });
    const dave = await joinedWs(room, unique('dave'));
    const text = 'quotes " \\ backslash\nnew line \u2028 separator </script> é ☃ 👍 \u0007 bell';
    const sent = await dave.say(room, text);
    assert.equal(sent.text, text);
    assert.deepEqual(await nextOf(events, 'message'), sent);
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

// ---- Users, devices, private rooms and direct messages (docs/PROTOCOL.md) -------------------------------------------

/** A bridge client of node `index` that said `chat.hello` as `nick` (with `session`, if given); its reply in `welcome`. */
async function helloBridge(index, nick, session) {
  const eb = track(await bridge(index));
  const { err, body } = await request(eb, 'chat.hello', session === undefined ? { nick } : { nick, session });
  assert.equal(err, null, `hello as ${nick}: ${err && err.message}`);
  eb.welcome = body;
  eb.nick = nick;
  return eb;
}

/**
 * Resolves once everything `eb` sent before has been served (a socket's envelopes take effect in order, and its
 * refusals come back in order too), checking that none of it was refused.
 */
async function settled(eb, what) {
  const { err } = await request(eb, 'chat.rooms', { limit: 1 });
  assert.equal(err, null);
  assert.equal(eb.errors.size, 0, `${what}: refused ${JSON.stringify(eb.errors.items)}`);
}

/** Registers `chat.user`; returns the queue of the user frames it receives, once the registration took effect. */
async function userFrames(eb) {
  const frames = listen(eb, 'chat.user');
  await settled(eb, `registering chat.user as ${eb.nick}`);
  return frames;
}

/** Registers a room's address and waits until it took effect (not refused). */
async function follow(eb, room) {
  const events = listen(eb, `chat.room.${room}`);
  await settled(eb, `registering chat.room.${room}`);
  return events;
}

/** A request that must succeed; its reply body. */
async function ok(eb, address, body) {
  const { err, body: reply } = await request(eb, address, body);
  assert.equal(err, null, `${address} ${JSON.stringify(body)}: ${err && err.message}`);
  return reply;
}

/** The refusal code of a request that must be refused. */
async function refused(eb, address, body) {
  const { err } = await request(eb, address, body);
  return refusalCode(err);
}

/** `fields` of `object`, for comparisons that leave out what the test does not pin down. */
function pick(object, ...fields) {
  return Object.fromEntries(fields.filter((f) => object[f] !== undefined).map((f) => [f, object[f]]));
}

/** Every room `eb` is shown, following `next` through the pages. */
async function allRooms(eb) {
  const rooms = [];
  for (let after; ;) {
    const page = await ok(eb, 'chat.rooms', after ? { after } : {});
    rooms.push(...page.rooms);
    if (!page.next) return rooms;
    after = page.next;
  }
}

/** The next `message` of `queue` with an id above `lastId` (the merge rule: older ones are in a snapshot already). */
async function messageAfter(queue, lastId) {
  for (;;) {
    const message = await nextOf(queue, 'message');
    if (message.id > lastId) return message;
  }
}

/** Unregisters every handler of `address` (a refused registration stays in the client's table otherwise). */
function forget(eb, address) {
  for (const handler of [...(eb.handlers[address] || [])]) eb.unregisterHandler(address, handler);
}

test('bridge_hello_then_a_second_socket_with_the_session_is_the_same_user', async () => {
  const nick = unique('ada');
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave')); // node 1
  const first = await helloBridge(0, nick);
  assert.equal(first.welcome.nick, nick);
  assert.equal(typeof first.welcome.session, 'string');
  assert.ok(first.welcome.session.length >= 16, `a secret: ${first.welcome.session}`);
  assert.equal(typeof first.welcome.node, 'string');

  // The same user on the other node, at once: same nick, no nick_taken.
  const second = await helloBridge(1, nick, first.welcome.session);
  assert.equal(second.welcome.nick, nick);
  assert.equal(typeof second.welcome.node, 'string');
  assert.notEqual(second.welcome.node, first.welcome.node, 'served by the other node');

  // Without the session (or with a wrong one) the nick is taken, over hello or a first join.
  const stranger = track(await bridge(1));
  assert.equal(await refused(stranger, 'chat.hello', { nick }), 'nick_taken');
  assert.equal(await refused(stranger, 'chat.hello', { nick, session: 'x'.repeat(22) }), 'nick_taken');
  assert.equal(await refused(stranger, 'chat.join', { room, nick }), 'nick_taken');

  // Both sockets join the room: the user is a member once, with one presence join.
  const firstEvents = listen(first, `chat.room.${room}`);
  const joinedFirst = await ok(first, 'chat.join', { room });
  assert.deepEqual(joinedFirst.members, [dave.nick, nick].sort());
  assert.deepEqual(presenceOf(await dave.expect('presence')), { type: 'presence', room, nick, event: 'join' });
  const joinedSecond = await ok(second, 'chat.join', { room });
  assert.deepEqual(joinedSecond.members, [dave.nick, nick].sort(), 'the user is listed once');
  assert.equal(joinedSecond.membersVersion, joinedFirst.membersVersion, 'a second device changes no membership');
  // The second join (node 1, as dave) made no presence: dave's next frame is his own message.
  await dave.say(room, 'after both joined');

  // One of them leaving: no presence leave; the user is still there.
  assert.deepEqual(await ok(second, 'chat.leave', { room }), { room });
  await dave.say(room, 'after one left');
  const still = await ok(first, 'chat.send', { room, text: 'still here' });
  const atDave = await dave.expect('message');
  assert.deepEqual(pick(atDave, 'id', 'from', 'text'), { id: still.id, from: nick, text: 'still here' });
  assert.equal((await messageAfter(firstEvents, still.id - 1)).text, 'still here');

  // Back in with the second socket, then the first closes: not the last of the user's connections in the room.
  assert.deepEqual((await ok(second, 'chat.join', { room })).members, [dave.nick, nick].sort());
  await closeBridge(first);
  const afterClose = await ok(second, 'chat.send', { room, text: 'first socket closed' });
  assert.deepEqual(pick(await dave.expect('message'), 'id', 'from'), { id: afterClose.id, from: nick },
    'no presence leave while a connection of the user is in the room');

  // The last one closing: presence leave.
  await closeBridge(second);
  assert.deepEqual(presenceOf(await dave.expect('presence')), { type: 'presence', room, nick, event: 'leave' });
});

test('bridge_user_address_gets_device_and_read_frames', async () => {
  const nick = unique('ada');
  const room = unique('r');

  // chat.user before the socket is anyone: refused, as a registration.
  const early = track(await bridge(0));
  const leaked = listen(early, 'chat.user');
  assert.equal((await early.errors.take('refusal of chat.user before hello')).body, 'access_denied');

  // After a first join (which claims the nick) it is accepted.
  const joiner = track(await bridge(0));
  joiner.nick = unique('joiner');
  await ok(joiner, 'chat.join', { room: unique('r'), nick: joiner.nick });
  await userFrames(joiner);

  const a = await helloBridge(0, nick);
  const b = await helloBridge(1, nick, a.welcome.session);
  const aUser = await userFrames(a);
  const bUser = await userFrames(b);

  // A joins: B hears of it.
  await follow(a, room);
  const joined = await ok(a, 'chat.join', { room });
  assert.equal(joined.read, 0);
  assert.equal(joined.unread, 0);
  assert.deepEqual(await bUser.take('device join'), { type: 'device', event: 'join', room });

  // A reads: B hears of it.
  const one = await ok(a, 'chat.send', { room, text: 'one' });
  const two = await ok(a, 'chat.send', { room, text: 'two' });
  const readOne = await ok(a, 'chat.read', { room, id: one.id });
  assert.deepEqual(pick(readOne, 'room', 'id', 'unread'), { room, id: one.id, unread: 1 });
  assert.deepEqual(await bUser.take('read'), { type: 'read', room, id: one.id, unread: 1 });
  const readTwo = await ok(a, 'chat.read', { room, id: two.id });
  assert.deepEqual(pick(readTwo, 'room', 'id', 'unread'), { room, id: two.id, unread: 0 });
  assert.deepEqual(await bUser.take('read'), { type: 'read', room, id: two.id, unread: 0 });

  // A leaves: B hears of it.
  await ok(a, 'chat.leave', { room });
  assert.deepEqual(await bUser.take('device leave'), { type: 'device', event: 'leave', room });

  // B joins: A hears of it, and that is the first user frame A got (none of its own came back to it).
  const joinedB = await ok(b, 'chat.join', { room });
  assert.equal(joinedB.read, two.id, 'the read marker is the user\'s, whichever socket moved it');
  assert.equal(joinedB.unread, 0);
  assert.deepEqual(await aUser.take('device join of the other socket'), { type: 'device', event: 'join', room });
  await settled(b, 'B');
  assert.equal(bUser.size, 0, `B got only A's frames: ${JSON.stringify(bUser.items)}`);
  assert.equal(leaked.size, 0, 'nothing reached the refused registration');
});

test('bridge_private_room_is_refused_to_non_members', async () => {
  const room = unique('ops');
  const alice = await helloBridge(0, unique('alice'));
  const aliceEvents = await follow(alice, room);
  const created = await ok(alice, 'chat.join', { room, visibility: 'private' });
  assert.deepEqual(pick(created, 'room', 'kind', 'owner', 'members'),
    { room, kind: 'private', owner: alice.nick, members: [alice.nick] });
  await ok(alice, 'chat.send', { room, text: 'secret 1' });
  await ok(alice, 'chat.send', { room, text: 'secret 2' });

  // A member on node 1 (/ws), invited: the barrier for what reaches node 1.
  const dave = track(await wsUser(1, unique('dave')));
  const invitedDave = await ok(alice, 'chat.invite', { room, nick: dave.nick });
  assert.deepEqual(pick(invitedDave, 'room', 'nick', 'by', 'kind'), { room, nick: dave.nick, by: alice.nick, kind: 'private' });
  assert.equal((await dave.expect('invited')).room, room);
  assert.deepEqual((await dave.join(room)).history.map((m) => m.text), ['secret 1', 'secret 2']);

  // carol (node 1) is on nobody's list.
  const carol = await helloBridge(1, unique('carol'));
  const carolUser = await userFrames(carol);
  assert.equal(await refused(carol, 'chat.join', { room }), 'forbidden');
  assert.equal(await refused(carol, 'chat.history', { room }), 'forbidden');
  assert.equal(await refused(carol, 'chat.read', { room, id: 1 }), 'forbidden');
  assert.equal(await refused(carol, 'chat.invite', { room, nick: unique('eve') }), 'forbidden');
  assert.equal(await refused(carol, 'chat.send', { room, text: 'let me in' }), 'not_joined');
  const leaked = listen(carol, `chat.room.${room}`);
  assert.equal((await carol.errors.take('refusal of the private room\'s address')).body, 'access_denied');
  const notForCarol = await ok(alice, 'chat.send', { room, text: 'not for carol' });
  assert.equal((await dave.expectPast('message', 'presence')).id, notForCarol.id);
  assert.equal((await messageAfter(aliceEvents, notForCarol.id - 1)).id, notForCarol.id);
  await settled(carol, 'carol');
  assert.equal(leaked.size, 0, `nothing of the room reached carol: ${JSON.stringify(leaked.items)}`);
  assert.equal(carolUser.size, 0, `no user frame for carol yet: ${JSON.stringify(carolUser.items)}`);

  // Invited: carol's chat.user hears it, and she may register and join.
  const invitedCarol = await ok(alice, 'chat.invite', { room, nick: carol.nick });
  assert.deepEqual(pick(invitedCarol, 'room', 'nick', 'by', 'kind'), { room, nick: carol.nick, by: alice.nick, kind: 'private' });
  assert.deepEqual(pick(await carolUser.take('invited'), 'type', 'room', 'nick', 'by', 'kind'),
    { type: 'invited', room, nick: carol.nick, by: alice.nick, kind: 'private' });
  forget(carol, `chat.room.${room}`);
  const carolEvents = await follow(carol, room);
  const carolJoined = await ok(carol, 'chat.join', { room });
  assert.deepEqual(carolJoined.members, [alice.nick, carol.nick, dave.nick].sort());
  assert.deepEqual(carolJoined.history.map((m) => m.text), ['secret 1', 'secret 2', 'not for carol']);
  const hello = await ok(alice, 'chat.send', { room, text: 'hello carol' });
  assert.deepEqual(pick(await messageAfter(carolEvents, carolJoined.lastId), 'id', 'text'), { id: hello.id, text: 'hello carol' });
  assert.equal((await dave.expectPast('message', 'presence')).id, hello.id);
  assert.equal(leaked.size, 0, 'the refused handler stayed silent');

  // Removed by the owner: carol hears it, and nothing more of the room reaches her.
  const removed = await ok(alice, 'chat.remove', { room, nick: carol.nick });
  assert.deepEqual(pick(removed, 'room', 'nick', 'by'), { room, nick: carol.nick, by: alice.nick });
  assert.deepEqual(pick(await carolUser.take('removed'), 'type', 'room', 'nick', 'by'),
    { type: 'removed', room, nick: carol.nick, by: alice.nick });
  const afterCarol = await ok(alice, 'chat.send', { room, text: 'after carol' });
  assert.equal((await dave.expectPast('message', 'presence')).id, afterCarol.id, 'a member still gets the room');
  await settled(carol, 'carol after the removal');
  const late = carolEvents.items.filter((e) => e.type === 'message');
  assert.deepEqual(late, [], 'no message of the room reached carol after her removal');
  assert.equal(await refused(carol, 'chat.send', { room, text: 'still here?' }), 'not_joined');
  assert.equal(await refused(carol, 'chat.join', { room }), 'forbidden');
  assert.equal(await refused(carol, 'chat.history', { room }), 'forbidden');
});

test('bridge_direct_conversation_with_since_after_registration', async () => {
  const alice = await helloBridge(0, unique('alice'));
  const bob = await helloBridge(1, unique('bob'));
  const bobUser = await userFrames(bob);

  // alice opens the conversation; the server names the room.
  const opened = await ok(alice, 'chat.join', { with: bob.nick });
  const room = opened.room;
  assert.match(room, /^dm-[0-9a-f]{32}$/);
  assert.equal(opened.kind, 'direct');
  assert.equal(opened.with, bob.nick);
  assert.equal(opened.lastId, 0);
  assert.deepEqual(pick(await bobUser.take('invited'), 'type', 'room', 'nick', 'kind', 'with'),
    { type: 'invited', room, nick: bob.nick, kind: 'direct', with: alice.nick });

  // bob opens it too: the same room.
  const bobOpened = await ok(bob, 'chat.join', { with: alice.nick });
  assert.equal(bobOpened.room, room);
  assert.equal(bobOpened.kind, 'direct');
  assert.equal(bobOpened.with, alice.nick);

  // A message before either follows the room: the joins by name with since have it.
  const early = await ok(alice, 'chat.send', { room, text: 'before registering' });
  const aliceEvents = await follow(alice, room);
  const bobEvents = await follow(bob, room);
  const aliceResumed = await ok(alice, 'chat.join', { room, since: opened.lastId, epoch: opened.epoch });
  const bobResumed = await ok(bob, 'chat.join', { room, since: bobOpened.lastId, epoch: bobOpened.epoch });
  for (const resumed of [aliceResumed, bobResumed]) {
    assert.equal(resumed.room, room);
    assert.equal(resumed.recovered, true);
    assert.equal(resumed.epoch, opened.epoch);
    assert.deepEqual(resumed.history.map((m) => [m.id, m.text]), [[early.id, 'before registering']]);
    assert.deepEqual(resumed.members, [alice.nick, bob.nick].sort());
  }

  // Both ways.
  const toBob = await ok(alice, 'chat.send', { room, text: 'hi bob' });
  assert.deepEqual(pick(await messageAfter(bobEvents, bobResumed.lastId), 'id', 'from', 'text'),
    { id: toBob.id, from: alice.nick, text: 'hi bob' });
  const toAlice = await ok(bob, 'chat.send', { room, text: 'hi alice' });
  assert.equal(toAlice.id, toBob.id + 1);
  const atAlice = await messageAfter(aliceEvents, aliceResumed.lastId);
  assert.equal(atAlice.text, 'hi bob');
  assert.deepEqual(pick(await messageAfter(aliceEvents, atAlice.id), 'id', 'from', 'text'),
    { id: toAlice.id, from: bob.nick, text: 'hi alice' });

  // A third user is kept out.
  const carol = await helloBridge(0, unique('carol'));
  assert.equal(await refused(carol, 'chat.join', { room }), 'forbidden');
  assert.equal(await refused(carol, 'chat.history', { room }), 'forbidden');
  listen(carol, `chat.room.${room}`);
  assert.equal((await carol.errors.take('refusal of the conversation\'s address')).body, 'access_denied');
  assert.equal(await refused(carol, 'chat.join', { room: `dm-${'0'.repeat(32)}` }), 'invalid_room');
});

test('bridge_rooms_lists_private_rooms_only_to_their_members', async () => {
  const alice = await helloBridge(0, unique('alice'));
  const bob = await helloBridge(1, unique('bob'));
  const dave = await helloBridge(1, unique('dave'));
  const carol = await helloBridge(1, unique('carol'));
  const lobby = unique('lobby');
  const secret = unique('ops');
  await ok(alice, 'chat.join', { room: lobby });
  await ok(alice, 'chat.join', { room: secret, visibility: 'private' });
  const direct = (await ok(alice, 'chat.join', { with: bob.nick })).room;
  await ok(alice, 'chat.invite', { room: secret, nick: dave.nick });

  const byName = (rooms) => Object.fromEntries(rooms.filter((r) => [lobby, secret, direct].includes(r.room))
    .map((r) => [r.room, r]));

  const carols = byName(await allRooms(carol));
  assert.deepEqual(Object.keys(carols), [lobby], 'carol sees the public room only');
  assert.equal(carols[lobby].kind, 'public');
  assert.equal(carols[lobby].access, undefined, 'a public room has no access list');
  const anonymous = byName(await allRooms(track(await bridge(1))));
  assert.deepEqual(Object.keys(anonymous), [lobby], 'a socket that is nobody yet sees the public room only');

  const alices = byName(await allRooms(alice));
  assert.deepEqual(Object.keys(alices).sort(), [lobby, secret, direct].sort());
  assert.deepEqual(pick(alices[secret], 'kind', 'access', 'owner', 'members'),
    { kind: 'private', access: 'owner', owner: alice.nick, members: 1 });
  assert.deepEqual(pick(alices[direct], 'kind', 'access', 'with', 'members'),
    { kind: 'direct', access: 'member', with: bob.nick, members: 1 });
  assert.equal(alices[lobby].kind, 'public');
  for (const entry of Object.values(alices)) {
    assert.deepEqual(pick(entry, 'read', 'unread'), { read: 0, unread: 0 }, entry.room);
  }

  const daves = byName(await allRooms(dave));
  assert.deepEqual(Object.keys(daves).sort(), [lobby, secret].sort());
  assert.deepEqual(pick(daves[secret], 'kind', 'access'), { kind: 'private', access: 'invited' });

  const bobs = byName(await allRooms(bob));
  assert.deepEqual(Object.keys(bobs).sort(), [lobby, direct].sort());
  assert.deepEqual(pick(bobs[direct], 'kind', 'access', 'with'), { kind: 'direct', access: 'member', with: alice.nick });
});

// ---- Roles, moderation, edits, deletions and reactions (docs/PROTOCOL.md) --------------------------------------------

/**
 * A change asked by /ws client `client` (`frame` without its ref): resolves to its `done` and to `event`, the room
 * event it became (for a `send`, the message; no `done`), whichever comes first. The frames it passes over meanwhile
 * (others' events, presence) are put back, in order, for the test to take; an error fails.
 */
async function wsChange(client, frame, event) {
  const ref = unique('ref');
  client.send({ ...frame, ref });
  const got = {};
  const passed = [];
  const mine = (f) => f.type === event && (event === 'message' ? f.from === client.nick && f.text === frame.text
    : f.by === client.nick && !(got.done && f.id !== got.done.id));
  try {
    while (!got.event || (event !== 'message' && !got.done)) {
      const received = await client.frames.take(`${event} after ${frame.type}`);
      if (received.type === 'error') throw new Error(`${client.nick}: ${frame.type} refused: ${JSON.stringify(received)}`);
      if (received.type === 'done' && received.ref === ref) got.done = received;
      else if (!got.event && mine(received)) got.event = received;
      else passed.push(received);
    }
  } finally {
    client.frames.items.unshift(...passed);
  }
  if (got.done) {
    assert.deepEqual(pick(got.done, 'room', 'id', 'event'), { room: frame.room, id: got.event.id, event });
  }
  return got;
}

/** A room event's fields but `ts`, which must be a time (epoch ms). */
function withoutTs(event) {
  const { ts, ...rest } = event;
  assert.ok(Number.isSafeInteger(ts) && ts > 0, `a ts: ${JSON.stringify(event)}`);
  return rest;
}

test('bridge_moderation_edit_delete_and_react_reach_ws_clients_on_another_node', async () => {
  const room = unique('r');
  const dave = await joinedWs(room, unique('dave')); // node 1
  const carol = await helloBridge(0, unique('carol'));
  const events = await follow(carol, room);
  await ok(carol, 'chat.join', { room });
  await dave.expect('presence');

  const sent = await ok(carol, 'chat.send', { room, text: 'frist draft' });
  assert.equal((await dave.expect('message')).id, sent.id);

  const edited = await ok(carol, 'chat.edit', { room, id: sent.id, text: 'first draft' });
  assert.deepEqual(edited, { room, id: sent.id + 1, event: 'edit' }, 'the change is the room\'s next event');
  const edit = await dave.expect('edit');
  assert.deepEqual(withoutTs(edit), { type: 'edit', room, id: edited.id, by: carol.nick, text: 'first draft', target: sent.id });

  const reacted = await ok(carol, 'chat.react', { room, id: sent.id, emoji: '👍' });
  assert.deepEqual(reacted, { room, id: sent.id + 2, event: 'reaction' });
  const reaction = await dave.expect('reaction');
  assert.deepEqual(withoutTs(reaction), { type: 'reaction', room, id: reacted.id, by: carol.nick, target: sent.id,
    emoji: '👍', on: true, reactions: { '👍': [carol.nick] } });

  const deleted = await ok(carol, 'chat.delete', { room, id: sent.id });
  assert.deepEqual(deleted, { room, id: sent.id + 3, event: 'delete' });
  const deletion = await dave.expect('delete');
  assert.deepEqual(withoutTs(deletion), { type: 'delete', room, id: deleted.id, by: carol.nick, target: sent.id });

  // The bridge socket gets the very same events through the room's address, in id order.
  for (const atWs of [edit, reaction, deletion]) assert.deepEqual(await nextOf(events, atWs.type), atWs);

  // History shows the message as it is now (deleted, without text; the edit's text gone too), and every change.
  const history = await ok(carol, 'chat.history', { room });
  assert.equal(history.lastId, deleted.id);
  assert.deepEqual(history.messages.map((m) => [m.id, m.type]),
    [[sent.id, 'message'], [edited.id, 'edit'], [reacted.id, 'reaction'], [deleted.id, 'delete']]);
  const [message, editEvent] = history.messages;
  assert.equal(message.deleted, true);
  assert.equal(message.from, carol.nick);
  assert.ok(!('text' in message), `no text: ${JSON.stringify(message)}`);
  assert.ok(!('text' in editEvent), `the deleted message's edit keeps no text: ${JSON.stringify(editEvent)}`);
  // And so does a join's snapshot, on the other node.
  const late = track(await wsUser(1, unique('erin')));
  const joined = await late.join(room);
  assert.deepEqual(joined.history, history.messages);

  // A client that resumes gets every change it missed, in id order, as it is now.
  const resumer = track(await bridge(0));
  const resumed = await ok(resumer, 'chat.join', { room, nick: unique('frank'), since: sent.id });
  assert.equal(resumed.recovered, true);
  assert.deepEqual(resumed.history, history.messages.slice(1));

  // A deleted message is not found for any more changes.
  assert.equal(await refused(carol, 'chat.edit', { room, id: sent.id, text: 'again' }), 'not_found');
  assert.equal(await refused(carol, 'chat.react', { room, id: sent.id, emoji: '👍' }), 'not_found');
  assert.equal(await refused(carol, 'chat.delete', { room, id: sent.id }), 'not_found');
});

test('bridge_moderation_ban_removes_every_connection_and_keeps_the_user_out', async () => {
  const room = unique('r');
  const alice = track(await wsUser(1, unique('alice')));
  const created = await alice.join(room);
  assert.deepEqual(pick(created, 'owner', 'role', 'moderators'), { owner: alice.nick, role: 'owner', moderators: [] });

  // bob, on both nodes over the bridge, in the room on both sockets.
  const bob = await helloBridge(0, unique('bob'));
  const bob2 = await helloBridge(1, bob.nick, bob.welcome.session);
  const bobUser = await userFrames(bob);
  const bob2User = await userFrames(bob2);
  const bobEvents = await follow(bob, room);
  const bob2Events = await follow(bob2, room);
  const joined = await ok(bob, 'chat.join', { room });
  assert.deepEqual(pick(joined, 'owner', 'role', 'moderators'), { owner: alice.nick, role: 'member', moderators: [] });
  await ok(bob2, 'chat.join', { room });
  assert.deepEqual(presenceOf(await alice.expect('presence')), { type: 'presence', room, nick: bob.nick, event: 'join' });

  const { done, event: ban } = await wsChange(alice, { type: 'ban', room, nick: bob.nick }, 'ban');
  assert.equal(done.id, joined.lastId + 1);
  assert.deepEqual(withoutTs(ban), { type: 'ban', room, id: done.id, by: alice.nick, nick: bob.nick, seconds: 0 });
  assert.deepEqual(presenceOf(await alice.expect('presence')), { type: 'presence', room, nick: bob.nick, event: 'leave' },
    'every connection of bob left the room');

  // Both of bob's sockets hear it, on their user address (and the room event, if it got there before they left).
  const removed = { type: 'removed', room, nick: bob.nick, by: alice.nick, reason: 'ban', id: done.id };
  assert.deepEqual(await nextOf(bobUser, 'removed'), removed);
  assert.deepEqual(await nextOf(bob2User, 'removed'), removed);
  for (const events of [bobEvents, bob2Events]) {
    const late = events.items.filter((e) => e.type === 'ban');
    if (late.length > 0) assert.deepEqual(late, [ban]);
  }

  // Kept out, on both nodes: no join, no history, no read, no registration of the room.
  for (const socket of [bob, bob2]) {
    assert.equal(await refused(socket, 'chat.join', { room }), 'banned');
    assert.equal(await refused(socket, 'chat.history', { room }), 'banned');
    assert.equal(await refused(socket, 'chat.read', { room, id: 1 }), 'banned');
    assert.equal(await refused(socket, 'chat.send', { room, text: 'still here?' }), 'not_joined');
    forget(socket, `chat.room.${room}`);
    listen(socket, `chat.room.${room}`);
    assert.equal((await socket.errors.take('refusal of the room\'s address while banned')).body, 'access_denied');
  }
  const behind = await wsChange(alice, { type: 'send', room, text: 'bob is gone' }, 'message');
  await settled(bob, 'bob');
  await settled(bob2, 'bob on node 1');
  for (const events of [bobEvents, bob2Events]) {
    assert.deepEqual(events.items.filter((e) => e.type === 'message'), [], 'nothing of the room reached bob after the ban');
  }
  assert.deepEqual(bobUser.items, [], 'no more user frames');

  // Unbanned: he may register and join again.
  const unbanned = await wsChange(alice, { type: 'unban', room, nick: bob.nick }, 'unban');
  assert.deepEqual(withoutTs(unbanned.event), { type: 'unban', room, id: unbanned.done.id, by: alice.nick, nick: bob.nick });
  forget(bob, `chat.room.${room}`);
  const again = await follow(bob, room);
  const rejoined = await ok(bob, 'chat.join', { room });
  assert.equal(rejoined.role, 'member');
  assert.deepEqual(rejoined.history.map((m) => m.id).slice(-3), [done.id, behind.event.id, unbanned.done.id]);
  assert.deepEqual(presenceOf(await alice.expect('presence')), { type: 'presence', room, nick: bob.nick, event: 'join' });
  const back = await ok(bob, 'chat.send', { room, text: 'back' });
  assert.equal((await alice.expect('message')).id, back.id);
  assert.equal((await messageAfter(again, rejoined.lastId)).id, back.id);
});

test('bridge_moderation_refusals_have_error_codes', async () => {
  const room = unique('r');
  const alice = await joinedWs(room, unique('alice')); // node 1: the owner
  const bob = await helloBridge(0, unique('bob'));
  const carol = await helloBridge(1, unique('carol'));
  const outsider = await helloBridge(0, unique('olga'));
  await ok(bob, 'chat.join', { room });
  await ok(carol, 'chat.join', { room });
  const bobs = await ok(bob, 'chat.send', { room, text: 'bob\'s' });
  const carols = await ok(carol, 'chat.send', { room, text: 'carol\'s' });

  // A member moderates nobody.
  for (const [address, body] of [['chat.kick', {}], ['chat.ban', { seconds: 60 }], ['chat.unban', {}],
    ['chat.mute', { seconds: 60 }], ['chat.role', { role: 'moderator' }]]) {
    assert.equal(await refused(bob, address, { room, nick: carol.nick, ...body }), 'forbidden', address);
  }
  assert.equal(await refused(bob, 'chat.kick', { room, nick: alice.nick }), 'forbidden', 'nobody kicks the owner');
  assert.equal(await refused(bob, 'chat.kick', { room, nick: bob.nick }), 'invalid_value', 'nobody acts on themselves');

  // Message changes: only the sender edits; only the sender (or a moderator) deletes; ids that are no message.
  assert.equal(await refused(bob, 'chat.edit', { room, id: 999_999, text: 'x' }), 'not_found');
  assert.equal(await refused(bob, 'chat.edit', { room, id: carols.id, text: 'mine now' }), 'forbidden');
  assert.equal(await refused(bob, 'chat.delete', { room, id: carols.id }), 'forbidden');
  const edited = await ok(bob, 'chat.edit', { room, id: bobs.id, text: 'bob\'s, edited' });
  assert.equal(await refused(bob, 'chat.edit', { room, id: edited.id, text: 'an edit of an edit' }), 'not_found',
    'a change is no message');
  assert.equal(await refused(bob, 'chat.edit', { room, id: bobs.id, text: ' ' }), 'empty_text');
  assert.equal(await refused(bob, 'chat.react', { room, id: bobs.id, emoji: 'two words' }), 'invalid_value');
  assert.equal(await refused(outsider, 'chat.edit', { room, id: bobs.id, text: 'x' }), 'not_joined');
  assert.equal(await refused(outsider, 'chat.react', { room, id: bobs.id, emoji: '👍' }), 'not_joined');

  // Muted by the owner: bob reads, but neither sends, edits nor reacts; lifted, he does again.
  const bobEvents = await follow(bob, room);
  const muted = await wsChange(alice, { type: 'mute', room, nick: bob.nick, seconds: 600 }, 'mute');
  const { until, ...mute } = withoutTs(muted.event);
  assert.deepEqual(mute, { type: 'mute', room, id: muted.done.id, by: alice.nick, nick: bob.nick, seconds: 600 });
  assert.ok(until > Date.now(), `until: ${until}`);
  assert.deepEqual(await nextOf(bobEvents, 'mute'), muted.event);
  assert.equal(await refused(bob, 'chat.send', { room, text: 'let me speak' }), 'muted');
  assert.equal(await refused(bob, 'chat.edit', { room, id: bobs.id, text: 'let me edit' }), 'muted');
  assert.equal(await refused(bob, 'chat.react', { room, id: carols.id, emoji: '👍' }), 'muted');
  assert.equal((await ok(bob, 'chat.join', { room })).mutedUntil, until, 'joined says until when');
  const heard = await wsChange(alice, { type: 'send', room, text: 'you still read' }, 'message');
  assert.equal((await messageAfter(bobEvents, muted.done.id)).id, heard.event.id);
  const lifted = await wsChange(alice, { type: 'mute', room, nick: bob.nick, seconds: 0 }, 'mute');
  assert.deepEqual(withoutTs(lifted.event), { type: 'mute', room, id: lifted.done.id, by: alice.nick, nick: bob.nick,
    seconds: 0 }, 'a lifted mute has no until');
  const spoken = await ok(bob, 'chat.send', { room, text: 'thanks' });
  assert.equal((await messageAfter(alice.frames, lifted.done.id)).id, spoken.id);
});

test('bridge_moderation_owner_names_a_moderator_who_kicks', async () => {
  const room = unique('r');
  const alice = await joinedWs(room, unique('alice')); // node 1: the owner
  const bob = await helloBridge(0, unique('bob'));
  const carol = await helloBridge(1, unique('carol'));
  const carolUser = await userFrames(carol);
  const bobEvents = await follow(bob, room);
  await ok(bob, 'chat.join', { room });
  await ok(carol, 'chat.join', { room });
  const carols = await ok(carol, 'chat.send', { room, text: 'carol\'s' });
  assert.equal(await refused(bob, 'chat.kick', { room, nick: carol.nick }), 'forbidden', 'not a moderator yet');

  // The owner (over /ws) names bob moderator: everyone hears it, bob's next join says so.
  const named = await wsChange(alice, { type: 'role', room, nick: bob.nick, role: 'moderator' }, 'role');
  assert.deepEqual(withoutTs(named.event),
    { type: 'role', room, id: named.done.id, by: alice.nick, nick: bob.nick, role: 'moderator' });
  assert.deepEqual(await nextOf(bobEvents, 'role'), named.event);
  assert.deepEqual(pick(await ok(bob, 'chat.join', { room }), 'role', 'moderators', 'owner'),
    { role: 'moderator', moderators: [bob.nick], owner: alice.nick });

  // A moderator deletes anyone's message, and kicks members; not the owner, and names nobody.
  const deleted = await ok(bob, 'chat.delete', { room, id: carols.id });
  assert.equal(deleted.event, 'delete');
  assert.deepEqual(pick(await alice.expectPast('delete', 'presence', 'message'), 'id', 'by', 'target'),
    { id: deleted.id, by: bob.nick, target: carols.id });
  assert.equal(await refused(bob, 'chat.kick', { room, nick: alice.nick }), 'forbidden');
  assert.equal(await refused(bob, 'chat.role', { room, nick: carol.nick, role: 'moderator' }), 'forbidden');
  const kicked = await ok(bob, 'chat.kick', { room, nick: carol.nick });
  assert.deepEqual(kicked, { room, id: deleted.id + 1, event: 'kick' });
  assert.deepEqual(withoutTs(await alice.expectPast('kick', 'presence')),
    { type: 'kick', room, id: kicked.id, by: bob.nick, nick: carol.nick });
  assert.deepEqual(await carolUser.take('removed'),
    { type: 'removed', room, nick: carol.nick, by: bob.nick, reason: 'kick', id: kicked.id });
  assert.equal(await refused(carol, 'chat.send', { room, text: 'still here?' }), 'not_joined');

  // A kick is no ban: carol may come back.
  const back = await ok(carol, 'chat.join', { room });
  assert.ok(back.members.includes(carol.nick));

  // Unnamed by the owner: bob kicks no more.
  const unnamed = await wsChange(alice, { type: 'role', room, nick: bob.nick, role: 'member' }, 'role');
  assert.equal(unnamed.event.role, 'member');
  assert.equal(await refused(bob, 'chat.kick', { room, nick: carol.nick }), 'forbidden');

  // A moderator is the owner's to act on; banned, for a while, carol is a moderator no more.
  await wsChange(alice, { type: 'role', room, nick: carol.nick, role: 'moderator' }, 'role');
  await wsChange(alice, { type: 'role', room, nick: bob.nick, role: 'moderator' }, 'role');
  assert.equal(await refused(bob, 'chat.ban', { room, nick: carol.nick }), 'forbidden', 'a moderator bans no moderator');
  const banned = await wsChange(alice, { type: 'ban', room, nick: carol.nick, seconds: 3600 }, 'ban');
  assert.equal(banned.event.until, banned.event.ts + 3_600_000);
  assert.deepEqual(await nextOf(carolUser, 'removed'), { type: 'removed', room, nick: carol.nick, by: alice.nick,
    reason: 'ban', id: banned.done.id, until: banned.event.until });
  assert.equal(await refused(carol, 'chat.join', { room }), 'banned');
  await ok(bob, 'chat.unban', { room, nick: carol.nick });
  assert.deepEqual(pick(await ok(carol, 'chat.join', { room }), 'role', 'moderators'),
    { role: 'member', moderators: [bob.nick] });
});
