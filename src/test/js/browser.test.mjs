// The bundled web page in a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no browser
// download), served by node 0 of a real two-node cluster, chatting with /ws clients of node 1. Every page counts
// its Content-Security-Policy violations as problems, so each test also shows the page works under its CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import {
  bridge, closeBridge, listen, ports, presenceOf, request, unique, wsClient, wsUser, WAIT_MS,
} from './support.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
/** The page as node `index` serves it: each node is another origin, with its own localStorage. */
const pageUrl = (index) => `http://127.0.0.1:${ports[index]}/`;
const PAGE_URL = pageUrl(0);

let browser;
const wsClients = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/test does)`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await Promise.all(wsClients.splice(0).map((client) => client.close()));
  if (browser) await browser.close();
});

async function dave(room) {
  const client = await wsUser(1, unique('dave'));
  wsClients.push(client);
  if (room) await client.join(room);
  return client;
}

/**
 * A fresh context (own storage); `context.problems` collects its pages' uncaught errors and whatever the
 * Content-Security-Policy refused (the `securitypolicyviolation` event, and Chromium's console report of it).
 */
async function newContext({ viewport = { width: 1200, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport });
  const problems = [];
  context.problems = problems;
  // Playwright's bindings and init scripts are not subject to the page's CSP.
  await context.exposeFunction('reportCspViolation', (violation) => problems.push(`CSP violation: ${violation}`));
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const violation = `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} in ${e.documentURI}`;
      window.cspViolations.push(violation);
      window.reportCspViolation(violation);
    });
  });
  return context;
}

/** A page of `context` (default: a fresh one); `page.problems` is its context's. */
async function newPage({ viewport, context } = {}) {
  const own = context || await newContext({ viewport });
  const page = await own.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => own.problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) own.problems.push(`console: ${message.text()}`);
  });
  page.problems = own.problems;
  return page;
}

/** A fresh page on node `node` (default 0), logged in as `nick`, in #general. */
async function openPage(nick, { query = '', viewport, node = 0 } = {}) {
  const page = await newPage({ viewport });
  await page.goto(pageUrl(node) + query);
  await page.fill('#nick-input', nick);
  await page.press('#nick-input', 'Enter');
  await connected(page, nick);
  await page.locator('#room-title', { hasText: '#general' }).waitFor();
  return page;
}

/**
 * Another tab of `page`'s user, in the same browser (context), on node `node`. On the same node it shares the
 * page's localStorage: it is signed in at once with the nick and session kept there. Another node is another
 * origin, with a localStorage of its own: the session is carried over, as a user signing in on a second device
 * with it would.
 */
async function openTab(page, node = 0) {
  const nick = await page.evaluate(() => state.nick);
  const tab = await newPage({ context: page.context() });
  await tab.goto(pageUrl(node));
  if (new URL(page.url()).origin !== new URL(pageUrl(node)).origin) {
    const session = await page.evaluate((n) => localStorage.getItem(`parley.session.${n}`), nick);
    assert.ok(session, 'the page keeps its session');
    await tab.evaluate(([n, s]) => localStorage.setItem(`parley.session.${n}`, s), [nick, session]);
    await tab.fill('#nick-input', nick);
    await tab.press('#nick-input', 'Enter');
  }
  await connected(tab, nick);
  return tab;
}

const connected = (page, nick) => page.locator('#connection-state', { hasText: `connected as ${nick}` }).waitFor();
const messageTexts = (page) => page.$$eval('#messages li.message .text', (items) => items.map((item) => item.textContent));
const messageIds = (page) => page.$$eval('#messages li.message', (items) => items.map((item) => Number(item.dataset.id)));

async function say(page, text) {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

async function joinFromForm(page, room, { private: secret = false } = {}) {
  if (secret) await page.check('#join-private');
  await page.fill('#join-input', room);
  await page.press('#join-input', 'Enter');
}

const roomItem = (page, room) => page.locator(`#room-list li[data-room="${room}"]`);
const memberNames = (page) => page.$$eval('#members li .member', (items) => items.map((item) => item.textContent));
/** Waits until the page's join of `room` on its current connection is answered. */
const joinedOnThisConnection = (page, room) => page.waitForFunction(
  (r) => state.rooms.has(r) && state.rooms.get(r).joinedIn === state.generation && !state.rooms.get(r).joining, room);

async function shownText(page, text) {
  await page.waitForFunction((t) => [...document.querySelectorAll('#messages li.message .text')]
    .some((item) => item.textContent === t), text);
}

test('page_chats_with_ws_clients_on_another_node', async () => {
  const ws = await dave('general');
  const nick = unique('carol');
  const page = await openPage(nick);
  assert.equal((await ws.expect('presence')).nick, nick);
  await page.locator('#members li', { hasText: ws.nick }).waitFor();

  // Text that would be markup, shown as text: no element made of it, no script run.
  const payload = '<img src=x onerror="window.__pwned=1"><b>bold</b><script>window.__pwned=2</script>';
  await ws.say('general', payload);
  await shownText(page, payload);
  assert.equal(await page.$$eval('#messages img, #messages b, #messages script', (found) => found.length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const author = await page.$eval('#messages li.message:last-child .author', (item) => item.textContent);
  assert.equal(author, ws.nick);

  // Typing shows at the other end; Enter sends; the /ws client on the other node receives the message,
  // attributed to the page's nick.
  await page.type('#message-input', 'hello from chromium');
  assert.deepEqual(await ws.expect('typing'), { type: 'typing', room: 'general', nick });
  await page.press('#message-input', 'Enter');
  const received = await ws.expectPast('message', 'typing');
  assert.equal(received.from, nick);
  assert.equal(received.text, 'hello from chromium');
  await shownText(page, 'hello from chromium');
  assert.equal(await page.inputValue('#message-input'), '', 'the composer is cleared');

  ws.send({ type: 'typing', room: 'general' });
  await page.locator('#typing', { hasText: `${ws.nick} is typing` }).waitFor();

  await page.screenshot({ path: path.join(SCREENSHOTS, 'chat.png'), animations: 'disabled' });
  // At phone width the rooms and members are drawers behind two buttons; the conversation has the screen.
  await page.setViewportSize({ width: 390, height: 760 });
  await page.locator('#menu-toggle').waitFor();
  assert.equal(await page.isVisible('#message-input'), true);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-phone.png'), animations: 'disabled' });
  await page.click('#members-toggle');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-phone-members.png'), animations: 'disabled' });
  await page.click('#members-toggle');
  assert.deepEqual(page.problems, []);
  await ws.close();
  await page.locator('#members li', { hasText: ws.nick }).waitFor({ state: 'detached' });
  await page.context().close();
});

// The Python example (examples/python/parley_chat.py, standard library only) on the other node's TCP bridge.
test('page_chats_with_the_python_example_over_the_tcp_bridge', async () => {
  const tcpPort = process.env.PARLEY_TCP_BRIDGE_PORTS.split(',')[1];
  const room = unique('py');
  const pyNick = unique('snake');
  const nick = unique('erin');
  const page = await openPage(nick);
  await connected(page, nick);
  await page.fill('#join-input', room);
  await page.press('#join-input', 'Enter');
  await page.locator('#room-title', { hasText: room }).waitFor();
  const example = path.resolve(process.cwd(), '..', '..', 'examples', 'python', 'parley_chat.py');
  const python = spawn('python3', [example, '--port', tcpPort, '--nick', pyNick, '--room', room]);
  const lines = [];
  const waiters = [];
  readline.createInterface({ input: python.stdout }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((check) => check());
  });
  python.stderr.on('data', (data) => lines.push(`stderr: ${data}`));
  const lineStarting = (prefix) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${prefix}" from python; it said:\n${lines.join('\n')}`)), WAIT_MS);
    const check = () => {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      } else {
        waiters.push(check);
      }
    };
    check();
  });
  try {
    await lineStarting('* joined');
    await page.locator('#members li', { hasText: pyNick }).waitFor();
    python.stdin.write('hello from python\n');
    await shownText(page, 'hello from python');
    await say(page, 'hello from chromium');
    assert.equal(await lineStarting(`${nick}:`), `${nick}: hello from chromium`);
    python.stdin.end();
    await page.locator('#members li', { hasText: pyNick }).waitFor({ state: 'detached' });
  } finally {
    python.kill();
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('page_rooms_unread_counts_and_scroll_back', async () => {
  const archive = unique('archive');
  const ws = await dave(archive);
  for (let i = 1; i <= 60; i++) await ws.say(archive, `old ${i}`);
  const page = await openPage(unique('erin'));

  // Create/join a room from the form: it opens with the newest JOIN_HISTORY (50) messages; older ones on request.
  await page.fill('#join-input', archive);
  await page.press('#join-input', 'Enter');
  await page.locator('#room-title', { hasText: `#${archive}` }).waitFor();
  assert.equal((await ws.expect('presence')).event, 'join');
  await shownText(page, 'old 60');
  assert.equal((await messageTexts(page)).length, 50);
  await page.click('#load-older');
  await shownText(page, 'old 1');
  assert.deepEqual(await messageIds(page), Array.from({ length: 60 }, (_, i) => i + 1));

  // A message in a room that is not on screen counts as unread until the room is opened.
  await page.click('#room-list li:has-text("general") .name');
  await page.locator('#room-title', { hasText: '#general' }).waitFor();
  await ws.say(archive, 'while you were away');
  const badge = page.locator(`#room-list li:has-text("${archive}") .unread`);
  await badge.filter({ hasText: '1' }).waitFor();
  await page.click(`#room-list li:has-text("${archive}") .name`);
  await shownText(page, 'while you were away');
  await badge.waitFor({ state: 'detached' });

  // Leave: the room goes, and the /ws member sees it.
  await page.click(`#room-list li:has-text("${archive}") .leave`);
  assert.equal((await ws.expect('presence')).event, 'leave');
  await page.locator(`#room-list li.joined:has-text("${archive}")`).waitFor({ state: 'detached' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('page_reconnects_and_resumes_with_no_duplicate_and_no_gap', async () => {
  const ws = await dave('general');
  const nick = unique('frank');
  const page = await openPage(nick);
  await ws.expect('presence');
  await ws.say('general', 'before the drop');
  await shownText(page, 'before the drop');

  // The network drops (as when a node restarts or Wi-Fi blinks): the page shows it and keeps trying; the
  // room goes on without it; once the network is back, it rejoins with `since`.
  await page.context().setOffline(true);
  await page.evaluate(() => state.eb.sockJSConn.close());
  await page.locator('#connection-state', { hasText: 'offline' }).waitFor();
  assert.equal(await page.isDisabled('#message-input'), true, 'no typing into a dead connection');
  assert.deepEqual(presenceOf(await ws.expect('presence')), { type: 'presence', room: 'general', nick, event: 'leave' });
  for (let i = 1; i <= 3; i++) await ws.say('general', `missed ${i}`);
  await page.context().setOffline(false);
  await connected(page, nick);
  assert.deepEqual(presenceOf(await ws.expect('presence')), { type: 'presence', room: 'general', nick, event: 'join' });
  await shownText(page, 'missed 3');
  await ws.say('general', 'after the drop');
  await shownText(page, 'after the drop');

  const texts = await messageTexts(page);
  for (const text of ['before the drop', 'missed 1', 'missed 2', 'missed 3', 'after the drop']) {
    assert.equal(texts.filter((t) => t === text).length, 1, `'${text}' shown once`);
  }
  const ids = await messageIds(page);
  ids.forEach((id, i) => { if (i > 0) assert.equal(id, ids[i - 1] + 1, `ids without a gap: ${ids}`); });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('page_works_over_the_xhr_transport', async () => {
  const ws = await dave('general');
  const nick = unique('grace');
  const page = await openPage(nick, { query: '?transports=xhr-polling' });
  assert.equal(await page.evaluate(() => state.eb.sockJSConn.transport), 'xhr-polling');
  await ws.expect('presence');
  await say(page, 'polling along');
  assert.equal((await ws.expectPast('message', 'typing')).text, 'polling along');
  await ws.say('general', 'polled back');
  await shownText(page, 'polled back');
  await page.context().close();
});

test('page_reconnect_after_a_silent_drop_gets_the_nick_back_at_once', async () => {
  // After a silent drop (Wi-Fi gone, a laptop asleep) the server may hold the page's previous connection for a while,
  // until its heartbeat gives up. Here a /ws client with the page's session, in the page's room, stands for it: the
  // user is still connected and still in the room. Without its session the page would be refused (nick_taken) and
  // wait; with it (kept in localStorage), it is the same user at once, and nobody sees it leave or come back.
  const ws = await dave('general');
  const nick = unique('heidi');
  const page = await openPage(nick);
  // #general is every page test's room: an earlier test's page may still be leaving it.
  while ((await ws.expect('presence')).nick !== nick);
  const session = await page.evaluate((n) => localStorage.getItem(`parley.session.${n}`), nick);
  assert.match(session || '', /^.{22}$/, 'the page keeps the session its hello was given');
  const lingering = await wsClient(1, nick);
  wsClients.push(lingering);
  lingering.send({ type: 'hello', nick, session });
  assert.equal((await lingering.expect('welcome')).nick, nick);
  await lingering.join('general');
  const stranger = await wsClient(1, nick); // someone else, without the session
  wsClients.push(stranger);
  stranger.send({ type: 'hello', nick });
  assert.equal((await stranger.expect('error')).code, 'nick_taken');

  await page.evaluate(() => { // every state the page shows, to see afterwards that it never waited for its nick
    const shown = document.getElementById('connection-state');
    window.shownStates = [];
    new MutationObserver(() => window.shownStates.push(shown.textContent))
      .observe(shown, { childList: true, characterData: true, subtree: true });
  });
  await page.context().setOffline(true);
  await page.evaluate(() => state.eb.sockJSConn.close());
  await page.locator('#connection-state', { hasText: 'offline' }).waitFor();
  await ws.say('general', 'while it was away');
  await page.context().setOffline(false);
  await connected(page, nick);
  await shownText(page, 'while it was away');
  await say(page, 'back at once');
  assert.equal((await ws.expectPast('message', 'typing')).text, 'back at once', 'no presence: the user never left');
  const states = await page.evaluate(() => window.shownStates);
  assert.ok(!states.some((shown) => /waiting|taken|retrying/.test(shown)), `states shown: ${states.join(' | ')}`);
  assert.equal(await page.isVisible('#login'), false, 'still chatting, not sent back to the login');
  assert.equal(await page.textContent('#nick-error'), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('page_says_when_its_nick_belongs_to_someone_else', async () => {
  // A nick held by another user (here a /ws client; the page has no session for it) is refused at once: the page
  // says so on its login form and does not keep trying.
  const nick = unique('judy');
  wsClients.push(await wsUser(1, nick));
  const page = await newPage();
  await page.goto(PAGE_URL);
  await page.fill('#nick-input', nick);
  await page.press('#nick-input', 'Enter');
  await page.locator('#nick-error', { hasText: `The nick ${nick} is taken` }).waitFor();
  assert.equal(await page.isVisible('#login'), true);
  assert.equal(await page.evaluate(() => state.eb), null, 'no connection left trying');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('page_two_tabs_of_one_user_stay_in_step', async () => {
  const room = unique('team');
  const ws = await dave(room);
  const nick = unique('alice');
  const one = await openPage(nick);
  // A second tab of the same browser shares its localStorage: the nick and its session; no nick_taken, no wait.
  const two = await openTab(one);
  assert.equal(await two.isVisible('#login'), false);
  assert.equal(await two.textContent('#nick-error'), '');
  await two.locator('#room-title', { hasText: '#general' }).waitFor();

  // Tab 1 joins the room, tab 2 follows (`device` join). The user is one member: one presence, listed once.
  await joinFromForm(one, room);
  await one.locator('#room-title', { hasText: `#${room}` }).waitFor();
  assert.deepEqual(presenceOf(await ws.expect('presence')), { type: 'presence', room, nick, event: 'join' });
  await joinedOnThisConnection(two, room);
  await ws.say(room, 'both tabs are in'); // the next frame dave gets is its own message: no second presence
  await shownText(one, 'both tabs are in');
  await two.click(`#room-list li[data-room="${room}"] .name`);
  await shownText(two, 'both tabs are in');
  for (const tab of [one, two]) assert.deepEqual(await memberNames(tab), [nick, ws.nick].sort());

  // Both look at #general; a message in the room is unread in both; read in tab 1, its badge goes in tab 2 too.
  for (const tab of [one, two]) {
    await tab.click('#room-list li[data-room="general"] .name');
    await tab.locator('#room-title', { hasText: '#general' }).waitFor();
  }
  await ws.say(room, 'unread for now');
  for (const tab of [one, two]) await roomItem(tab, room).locator('.unread', { hasText: '1' }).waitFor();
  await one.click(`#room-list li[data-room="${room}"] .name`);
  await shownText(one, 'unread for now');
  await roomItem(two, room).locator('.unread').waitFor({ state: 'detached' });
  assert.equal(await two.evaluate(() => state.active), 'general', 'tab 2 did not open the room: tab 1 read it');

  // Tab 2 leaves: tab 1 leaves too (`device` leave), and the user's presence ends with its last connection.
  await two.click(`#room-list li[data-room="${room}"] .leave`);
  await one.locator(`#room-list li.joined[data-room="${room}"]`).waitFor({ state: 'detached' });
  assert.deepEqual(presenceOf(await ws.expect('presence')), { type: 'presence', room, nick, event: 'leave' });
  assert.deepEqual(one.problems, []);
  await one.context().close();
});

test('page_private_room_invite_and_direct_conversation_across_nodes', async () => {
  const room = unique('ops');
  const [aliceNick, bobNick, carolNick] = [unique('alice'), unique('bob'), unique('carol')];
  const alice = await openPage(aliceNick); // node 0
  const alice1 = await openTab(alice, 1); // her second tab, on node 1
  const bob = await openPage(bobNick, { node: 1 });
  const carol = await openPage(carolNick); // node 0

  // Alice creates a private room; her other tab, on the other node, joins it too.
  await joinFromForm(alice, room, { private: true });
  await alice.locator('#room-title', { hasText: `#${room} · private` }).waitFor();
  await alice1.locator(`#room-list li.joined.private[data-room="${room}"]`).waitFor();
  assert.equal(await alice.isVisible('#invite-form'), true, 'a private room has its Invite control');

  // She invites bob; he sees the invitation (on node 1) and joins; they chat.
  await alice.fill('#invite-input', bobNick);
  await alice.click('#invite-form button');
  const invitation = bob.locator(`#invitations li[data-room="${room}"]`);
  await invitation.filter({ hasText: aliceNick }).waitFor();
  await bob.screenshot({ path: path.join(SCREENSHOTS, 'invitation.png'), animations: 'disabled' });
  await invitation.locator('.join').click();
  await bob.locator('#room-title', { hasText: `#${room} · private` }).waitFor();
  await invitation.waitFor({ state: 'detached' });
  await alice.locator('#members li', { hasText: bobNick }).waitFor();
  await say(bob, 'hi alice, between us');
  await shownText(alice, 'hi alice, between us');
  await say(alice, 'hi bob');
  await shownText(bob, 'hi bob');
  assert.equal(await alice.locator('#members li', { hasText: bobNick }).locator('.remove').count(), 1, 'the owner may remove');
  assert.equal(await bob.locator('#members .remove').count(), 0, 'a member may not');
  await alice.screenshot({ path: path.join(SCREENSHOTS, 'private-room.png'), animations: 'disabled' });

  // A direct conversation: alice clicks bob's name. Bob is told (`invited`, direct) and sees it as "@alice".
  await alice.click(`#members button.member:has-text("${bobNick}")`);
  await alice.locator('#room-title', { hasText: `@${bobNick}` }).waitFor();
  const dm = await alice.evaluate(() => state.active);
  assert.match(dm, /^dm-[0-9a-f]{32}$/);
  await roomItem(alice, dm).filter({ hasText: `@${bobNick}` }).waitFor();
  await alice1.locator(`#room-list li.joined[data-room="${dm}"]`, { hasText: `@${bobNick}` }).waitFor();
  await roomItem(bob, dm).filter({ hasText: `@${aliceNick}` }).waitFor();
  await bob.locator(`#invitations li[data-room="${dm}"]`, { hasText: `@${aliceNick}` }).locator('.join').click();
  await bob.locator('#room-title', { hasText: `@${aliceNick}` }).waitFor();
  await say(alice, 'just the two of us');
  await shownText(bob, 'just the two of us');
  await say(bob, 'indeed');
  await shownText(alice, 'indeed');
  await alice.screenshot({ path: path.join(SCREENSHOTS, 'direct.png'), animations: 'disabled' });
  await alice1.click(`#room-list li[data-room="${dm}"] .name`);
  await shownText(alice1, 'indeed');

  // Carol sees neither room in her list (a fresh one: it has a room made after both)...
  const lobby = unique('lobby');
  await dave(lobby);
  await carol.evaluate(() => refreshRooms());
  await roomItem(carol, lobby).waitFor();
  assert.equal(await carol.locator(`#room-list li[data-room="${room}"], #room-list li[data-room="${dm}"]`).count(), 0);
  assert.equal(await carol.locator('#invitations li').count(), 0);
  // ...cannot join the private room...
  await joinFromForm(carol, room);
  await carol.locator('#notice', { hasText: 'forbidden' }).waitFor();
  assert.equal(await roomItem(carol, room).count(), 0);
  // ...and neither can a bridge client (the npm client) follow either room's address.
  const eb = await bridge(1);
  try {
    assert.equal((await request(eb, 'chat.hello', { nick: unique('mallory') })).err, null);
    const heard = [listen(eb, `chat.room.${room}`), listen(eb, `chat.room.${dm}`)];
    for (let i = 0; i < 2; i++) assert.equal((await eb.errors.take('a refusal')).body, 'access_denied');
    const history = await request(eb, 'chat.history', { room });
    assert.match(history.err ? history.err.message : '(answered)', /^forbidden /);

    // More is said in both rooms: it reaches bob (node 1), and neither carol nor the bridge client.
    await say(alice, 'dm after carol tried');
    await shownText(bob, 'dm after carol tried');
    await alice.click(`#room-list li[data-room="${room}"] .name`);
    await alice.locator('#room-title', { hasText: `#${room}` }).waitFor();
    await say(alice, 'ops after carol tried');
    await shownText(alice, 'ops after carol tried');
    await roomItem(bob, room).locator('.unread').waitFor();
    assert.deepEqual(heard.map((queue) => queue.size), [0, 0], 'the refused registrations deliver nothing');
  } finally {
    await closeBridge(eb);
  }
  assert.deepEqual(await carol.evaluate(() => [...state.rooms.keys()]), ['general']);
  assert.equal((await messageTexts(carol)).some((text) => /carol tried|between us|two of us|hi bob/.test(text)), false);

  // The owner removes bob: his page drops the room, with a notice.
  await alice.locator('#members li', { hasText: bobNick }).locator('.remove').click();
  await bob.locator('#notice', { hasText: `${aliceNick} removed you from #${room}` }).waitFor();
  await roomItem(bob, room).waitFor({ state: 'detached' });
  await alice.locator('#members li', { hasText: bobNick }).waitFor({ state: 'detached' });

  for (const page of [alice, bob, carol]) assert.deepEqual(page.problems, []);
  await Promise.all([alice, bob, carol].map((page) => page.context().close()));
});

test('page_runs_under_its_content_security_policy', async () => {
  const page = await newPage();
  const response = await page.goto(PAGE_URL);
  assert.match(response.headers()['content-security-policy'] || '(none)', /default-src 'self'/, 'the page has a CSP');
  const nick = unique('ivan');
  await page.fill('#nick-input', nick);
  await page.press('#nick-input', 'Enter');
  await connected(page, nick);
  await page.locator('#room-title', { hasText: '#general' }).waitFor();
  await say(page, 'under the policy');
  await shownText(page, 'under the policy');
  assert.deepEqual(page.problems, [], 'the page, its scripts, its style sheet and its bridge need nothing the CSP refuses');

  // The policy is in force, and a refusal is seen: markup that slipped into the page could not run a script.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.body.append(script);
  });
  await page.waitForFunction(() => window.cspViolations.some((v) => v.startsWith('script-src')));
  assert.equal(await page.evaluate(() => window.__inlineRan), undefined, 'an inline script does not run');
  await page.context().close();
});

test('page_cannot_be_framed_by_another_origin', async () => {
  // A page of another origin (another port: another origin) that frames Parley's page, as a clickjacking site would.
  const framer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>framer</title><iframe id="victim" src="${PAGE_URL}"></iframe>`);
  });
  await new Promise((resolve) => framer.listen(0, '127.0.0.1', resolve));
  const page = await newPage();
  const refusals = [];
  page.on('console', (message) => { if (/frame-ancestors/.test(message.text())) refusals.push(message.text()); });
  try {
    await page.goto(`http://127.0.0.1:${framer.address().port}/`); // waits for the frame's load too
    const frame = await (await page.$('#victim')).contentFrame();
    assert.ok(frame, 'the iframe has a frame');
    assert.equal(await frame.locator('#nick-input').count(), 0, "Parley's page is not rendered inside another site");
    assert.notEqual(await frame.evaluate(() => document.title).catch(() => ''), 'Parley');
    assert.ok(refusals.length > 0, `Chromium reports the frame-ancestors refusal; problems: ${page.problems}`);
  } finally {
    await page.context().close();
    await new Promise((resolve) => framer.close(resolve));
  }
});

test('page_moderator_deletes_bans_and_the_user_cannot_return', async () => {
  const room = unique('mod');
  const [modNick, userNick] = [unique('mia'), unique('ugo')];
  const mod = await openPage(modNick); // node 0; she creates the room: its owner
  const user = await openPage(userNick, { node: 1 });
  const ws = await dave(); // a /ws client on node 1, who joins after the room exists
  await joinFromForm(mod, room);
  await mod.locator('#room-title', { hasText: `#${room}` }).waitFor();
  await ws.join(room);
  await joinFromForm(user, room);
  await user.locator('#room-title', { hasText: `#${room}` }).waitFor();
  await mod.locator('#members li', { hasText: userNick }).waitFor();
  assert.equal(await mod.locator('#members li', { hasText: modNick }).locator('.badge').textContent(), 'owner');
  assert.equal(await user.locator('#members .ban').count(), 0, 'a member has no moderation controls');

  // The user posts, fixes a typo (the moderator sees "(edited)" live) and reacts.
  await say(user, 'helo everyone');
  await shownText(mod, 'helo everyone');
  const mine = user.locator('#messages li.message', { hasText: 'helo everyone' });
  user.once('dialog', (dialog) => dialog.accept('hello everyone'));
  await mine.locator('button.edit').click();
  const shownAtMod = mod.locator('#messages li.message', { hasText: 'hello everyone' });
  await shownAtMod.locator('.edited', { hasText: '(edited)' }).waitFor();
  await user.locator('#messages li.message', { hasText: 'hello everyone' }).locator('button.reaction', { hasText: '👍' })
    .click();
  await shownAtMod.locator('button.reaction', { hasText: '👍 1' }).waitFor();
  assert.equal(await shownAtMod.locator('button.reaction', { hasText: '👍 1' }).getAttribute('title'), userNick);
  const edit = await ws.expectPast('edit', 'message', 'presence', 'typing');
  assert.equal(edit.text, 'hello everyone');

  // The moderator deletes a message of the user's: it shows as deleted, without its text, on both pages.
  await say(user, 'buy cheap stuff');
  const spam = mod.locator('#messages li.message', { hasText: 'buy cheap stuff' });
  await spam.locator('button.delete').click();
  await user.locator('#messages li.message .text.deleted', { hasText: 'message deleted' }).waitFor();
  await mod.locator('#messages li.message .text.deleted', { hasText: 'message deleted' }).waitFor();
  assert.ok(!(await messageTexts(user)).includes('buy cheap stuff'));

  // She bans the user from the members list: the user's page is told and leaves the room; a join is refused.
  await mod.locator('#members li', { hasText: userNick }).locator('button.ban').click();
  await user.locator('#notice', { hasText: `${modNick} banned you from #${room}` }).waitFor();
  await user.locator(`#room-list li.joined[data-room="${room}"]`).waitFor({ state: 'detached' });
  await mod.locator('#messages li.system', { hasText: `${modNick} banned ${userNick} for good` }).waitFor();
  await mod.locator('#members li', { hasText: userNick }).waitFor({ state: 'detached' });
  await joinFromForm(user, room);
  await user.locator('#notice', { hasText: '(banned)' }).waitFor();
  await user.screenshot({ path: path.join(SCREENSHOTS, 'banned.png'), animations: 'disabled' });
  // ... nor on the other node, over /ws.
  const userWs = await wsClient(0, userNick);
  wsClients.push(userWs);
  const session = await user.evaluate((n) => localStorage.getItem(`parley.session.${n}`), userNick);
  userWs.send({ type: 'hello', nick: userNick, session });
  await userWs.expect('welcome');
  userWs.send({ type: 'join', room });
  assert.equal((await userWs.expect('error')).code, 'banned');

  // After a reload the moderator's page shows the room as it is: edited, reacted, deleted.
  await mod.reload();
  await connected(mod, modNick);
  await mod.click(`#room-list li[data-room="${room}"] .name`);
  const reloaded = mod.locator('#messages li.message', { hasText: 'hello everyone' });
  await reloaded.locator('.edited').waitFor();
  await reloaded.locator('button.reaction', { hasText: '👍 1' }).waitFor();
  await mod.locator('#messages li.message .text.deleted').waitFor();
  assert.ok(!(await messageTexts(mod)).includes('buy cheap stuff'));
  await mod.screenshot({ path: path.join(SCREENSHOTS, 'moderation.png'), animations: 'disabled' });
  assert.deepEqual(mod.problems, []);
  assert.deepEqual(user.problems, []);
  await mod.context().close();
  await user.context().close();
});
