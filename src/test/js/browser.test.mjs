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
import { ports, presenceOf, unique, wsClient, wsUser, WAIT_MS } from './support.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
const PAGE_URL = `http://127.0.0.1:${ports[0]}/`;

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
 * A fresh page (own storage) of its own context; `page.problems` collects its uncaught errors and whatever the
 * Content-Security-Policy refused (the `securitypolicyviolation` event, and Chromium's console report of it).
 */
async function newPage({ viewport = { width: 1200, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport });
  const problems = [];
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
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.problems = problems;
  return page;
}

/** A fresh page on node 0, logged in as `nick`, in #general. */
async function openPage(nick, { query = '', viewport } = {}) {
  const page = await newPage({ viewport });
  await page.goto(PAGE_URL + query);
  await page.fill('#nick-input', nick);
  await page.press('#nick-input', 'Enter');
  await connected(page, nick);
  await page.locator('#room-title', { hasText: '#general' }).waitFor();
  return page;
}

const connected = (page, nick) => page.locator('#connection-state', { hasText: `connected as ${nick}` }).waitFor();
const messageTexts = (page) => page.$$eval('#messages li.message .text', (items) => items.map((item) => item.textContent));
const messageIds = (page) => page.$$eval('#messages li.message', (items) => items.map((item) => Number(item.dataset.id)));

async function say(page, text) {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

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

test('page_waits_for_its_previous_session_to_end', async () => {
  // After a reconnect the nick may still be held for a few seconds, typically by the page's own previous
  // connection until the server notices it is gone. Here a /ws client holds it while the page is away: the page
  // says it is waiting, tries again, and is back under its nick once the nick is free; it is not logged out.
  const nick = unique('heidi');
  const page = await openPage(nick);
  await page.context().setOffline(true);
  await page.evaluate(() => state.eb.sockJSConn.close());
  await page.locator('#connection-state', { hasText: 'offline' }).waitFor();
  const holder = await wsClient(1, nick);
  wsClients.push(holder);
  for (;;) { // the server releases the nick once it has seen the page's socket close
    holder.send({ type: 'hello', nick });
    const answer = await holder.frames.take('welcome or error');
    if (answer.type === 'welcome') break;
    assert.equal(answer.code, 'nick_taken');
  }
  await page.context().setOffline(false);
  await page.locator('#connection-state', { hasText: 'waiting for the previous session to end' }).waitFor();
  await holder.close();
  await page.locator('#connection-state', { hasText: `connected as ${nick}` }).waitFor();
  assert.equal(await page.isVisible('#login'), false, 'still chatting, not sent back to the login');
  assert.deepEqual(page.problems, []);
  await page.context().close();
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
