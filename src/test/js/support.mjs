// Real clients of real Parley nodes for the JavaScript tests: the npm event-bus bridge client and a /ws client
// (the `ws` package). The JUnit side (io.parley.js) starts the nodes and passes their HTTP ports in PARLEY_PORTS.
// Every wait is bounded; nothing sleeps.
import { createRequire } from 'node:module';
import http from 'node:http';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);
const EventBus = require('@vertx/eventbus-bridge-client.js');

// Vert.x ends each XHR poll without `Connection: close`; a kept-alive socket may then be reset under the next
// request. Browsers retry; Node's agent does not, so SockJS's XHR transports get a fresh connection each time.
http.globalAgent = new http.Agent({ keepAlive: false });

export const WAIT_MS = 10_000;
export const ports = (process.env.PARLEY_PORTS || '').split(',').filter(Boolean).map(Number);
if (ports.length === 0) throw new Error('PARLEY_PORTS is not set: run these tests through JUnit (io.parley.js)');

let counter = 0;
/** A name unique within this run, for rooms and nicks, so that tests sharing the cluster do not meet. */
export const unique = (prefix) => `${prefix}${process.pid % 1000}x${++counter}`;

/** Items pushed by callbacks, taken in order by tests; take() fails after WAIT_MS. */
export class Queue {
  constructor(label) { this.label = label; this.items = []; this.waiters = []; }
  push(item) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item); else this.items.push(item);
  }
  take(what = 'an item') {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`${this.label}: no ${what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      const done = (item) => { clearTimeout(timer); resolve(item); };
      this.waiters.push(done);
    });
  }
  get size() { return this.items.length; }
}

/** A bridge client of node `index`, open; `errors` queues what reaches onerror (refusals without a reply). */
export function bridge(index, options = {}) {
  return new Promise((resolve, reject) => {
    const eb = new EventBus(`http://127.0.0.1:${ports[index]}/eventbus`, options);
    eb.errors = new Queue('bridge onerror');
    eb.onerror = (err) => eb.errors.push(err);
    const timer = setTimeout(() => reject(new Error(`bridge to node ${index} did not open within ${WAIT_MS} ms`)), WAIT_MS);
    eb.onopen = () => { clearTimeout(timer); resolve(eb); };
  });
}

/** Sends a request; resolves to {err, body}: err is the refusal {failureCode, failureType, message}, if any. */
export function request(eb, address, body) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from ${address} within ${WAIT_MS} ms`)), WAIT_MS);
    eb.send(address, body, (err, reply) => {
      clearTimeout(timer);
      resolve({ err, body: reply ? reply.body : undefined });
    });
  });
}

/** Registers `address`; returns the queue of message bodies it receives. */
export function listen(eb, address) {
  const queue = new Queue(`handler of ${address}`);
  eb.registerHandler(address, (err, message) => queue.push(err ? { error: err } : message.body));
  return queue;
}

/** Takes bodies from `queue` until one of `type` (from someone other than `skipNick`, for presence and typing). */
export async function nextOf(queue, type, skipNick) {
  for (;;) {
    const body = await queue.take(`'${type}'`);
    if (body.type === type && !(skipNick && body.nick === skipNick)) return body;
  }
}

/**
 * A presence frame without its membership version, which must be a positive whole number, and its member count,
 * a whole number (0 after the last one left).
 */
export function presenceOf(frame) {
  const { version, count, ...rest } = frame;
  if (!Number.isInteger(version) || version < 1) throw new Error(`presence without a version: ${JSON.stringify(frame)}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`presence without a count: ${JSON.stringify(frame)}`);
  return rest;
}

/** Closes a bridge client and resolves once its socket is closed. */
export function closeBridge(eb) {
  return new Promise((resolve) => {
    if (eb.state === EventBus.CLOSED) { resolve(); return; }
    const previous = eb.onclose;
    eb.onclose = (e) => { if (previous) previous(e); resolve(); };
    eb.close();
  });
}

/** A /ws client of node `index`, welcomed as `nick`; `frames` queues what it receives. */
export async function wsUser(index, nick) {
  const client = await wsClient(index, nick);
  client.send({ type: 'hello', nick });
  await client.expect('welcome');
  return client;
}

/** A /ws client of node `index` that has not said hello yet (`nick` only names it in failures). */
export async function wsClient(index, nick = 'anonymous') {
  const socket = new WebSocket(`ws://127.0.0.1:${ports[index]}/ws`);
  const client = { socket, frames: new Queue(`/ws client ${nick}`), nick };
  socket.on('message', (data) => client.frames.push(JSON.parse(data.toString())));
  client.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  client.send = (frame) => socket.send(JSON.stringify(frame));
  client.expect = async (type) => {
    const frame = await client.frames.take(`'${type}' frame`);
    if (frame.type !== type) throw new Error(`${nick} expected a '${type}' frame, got ${JSON.stringify(frame)}`);
    return frame;
  };
  /** The next frame of `type`, passing over frames of the `noise` types (e.g. 'typing' while a page types). */
  client.expectPast = async (type, ...noise) => {
    for (;;) {
      const frame = await client.frames.take(`'${type}' frame`);
      if (frame.type === type) return frame;
      if (!noise.includes(frame.type)) throw new Error(`${nick} expected a '${type}' frame, got ${JSON.stringify(frame)}`);
    }
  };
  client.join = async (room) => { client.send({ type: 'join', room }); return client.expect('joined'); };
  client.say = async (room, text) => {
    client.send({ type: 'send', room, text });
    const message = await client.expect('message');
    if (message.text !== text) throw new Error(`${nick} expected its own message '${text}', got ${JSON.stringify(message)}`);
    return message;
  };
  client.close = () => { socket.close(); return client.closed; };
  return client;
}
