// Parley web client. Speaks to the SockJS event-bus bridge at /eventbus with the official Vert.x client
// (vendor/vertx-eventbus.js, over vendor/sockjs.min.js): see "Event-bus bridge" in docs/PROTOCOL.md.
// All server-provided text is rendered with textContent, never as HTML.
'use strict';

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const TYPING_SHOW_MS = 3000;
const TYPING_SEND_EVERY_MS = 2000;
const ROOMS_REFRESH_MS = 10000;
const MAX_TEXT_LENGTH = 4096; // the server's default MAX_TEXT_LENGTH; it refuses longer text with text_too_long
const NICK_RETRY_MS = 2000;   // after a reconnect, our previous connection may hold the nick for a few seconds
const NICK_RETRIES = 8;

// When the server authenticates (JWT_KEY), a login page of the operator's sends people here with #token=<JWT>;
// the token is kept for this tab and sent with every join. The nick typed must be the token's.
const TOKEN = (() => {
  const found = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (found) {
    sessionStorage.setItem('parley.token', decodeURIComponent(found[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('parley.token');
})();

const ADDRESS = {
  join: 'chat.join', leave: 'chat.leave', send: 'chat.send', typing: 'chat.typing',
  rooms: 'chat.rooms', history: 'chat.history', room: (name) => 'chat.room.' + name,
};

const $ = (id) => document.getElementById(id);
const ui = {
  login: $('login'), chat: $('chat'), nickForm: $('nick-form'), nickInput: $('nick-input'),
  nickError: $('nick-error'), state: $('connection-state'), roomTitle: $('room-title'),
  roomList: $('room-list'), joinForm: $('join-form'), joinInput: $('join-input'),
  messages: $('messages'), members: $('members'), typing: $('typing'), loadOlder: $('load-older'),
  composer: $('composer'), input: $('message-input'), send: $('send-button'), count: $('char-count'),
  notice: $('notice'), menu: $('menu-toggle'), membersToggle: $('members-toggle'),
};

const state = {
  nick: localStorage.getItem('parley.nick') || '',
  eb: null,
  generation: 0,        // +1 per bridge connection: room handlers are registered once per connection
  identified: false,    // a join succeeded on some connection: the nick is ours
  nickRetries: 0,
  nickRetry: null,      // the timer of a pending retry after nick_taken on a reconnect
  rooms: new Map(),     // name -> { lastId, messages[], members:Set, unread, typing:Map, complete, joining, pending[] }
  directory: [],        // the server's room list: [{room, members, lastId}]
  active: null,
  lastTypingSent: 0,
  cidCounter: 0,
};

// ---- connection ----------------------------------------------------------------------------

function connect() {
  setConnectionState('connecting', 'connecting…');
  // ?transports=xhr-polling (comma-separated SockJS transport names) forces a transport, for testing.
  const transports = new URLSearchParams(location.search).get('transports');
  const eb = new EventBus('/eventbus', {
    vertxbus_reconnect_delay_max: 10000,
    ...(transports ? { transports: transports.split(',') } : {}),
  });
  eb.enableReconnect(true);
  eb.onopen = () => onOpen(eb);
  eb.onclose = () => onClose(eb);
  eb.onerror = (err) => showNotice('The server refused a request: ' + (err.body || err.message || 'error'));
  state.eb = eb;
}

// Every (re)connection joins every room we are in, with `since`: the server sends exactly what we missed.
function onOpen(eb) {
  if (state.eb !== eb) return;
  state.generation++;
  setConnectionState('connecting', 'joining…');
  const names = state.rooms.size > 0 ? [...state.rooms.keys()] : ['general'];
  names.forEach((name) => joinRoom(name));
  refreshRooms();
}

function onClose(eb) {
  if (state.eb !== eb) return;
  for (const room of state.rooms.values()) room.joining = false;
  setComposerEnabled(false);
  setConnectionState('offline', 'offline · reconnecting…');
}

function isOpen() {
  return state.eb !== null && state.eb.state === EventBus.OPEN;
}

/** Sends a request; `done(err, body)` gets the reply body or a refusal {code, message}. */
function request(address, body, done) {
  if (!isOpen()) return false;
  state.eb.send(address, body, (err, reply) => {
    if (done) done(err ? refusal(err) : null, err ? null : reply.body);
  });
  return true;
}

// A refusal's message is "<error code> <description>"; a timeout or a lost connection has no code.
function refusal(err) {
  if (err.failureCode === 400 && typeof err.message === 'string') {
    const space = err.message.indexOf(' ');
    return { code: err.message.slice(0, space), message: err.message.slice(space + 1) };
  }
  return { code: 'no_answer', message: 'The server did not answer; try again.' };
}

function setConnectionState(kind, label) {
  ui.state.className = 'state state-' + kind;
  ui.state.textContent = label;
  ui.state.title = label;
}

// ---- rooms ---------------------------------------------------------------------------------

/**
 * Registers the room's address first, then joins: nothing published after the join is missed. `open` shows the
 * room once joined (the user asked for it; a resume after a reconnect does not).
 */
function joinRoom(name, open = false) {
  if (!isOpen()) return;
  const known = state.rooms.get(name);
  const room = known || newRoom();
  state.rooms.set(name, room);
  room.joining = true;
  room.open = room.open || open;
  room.pending = [];
  if (room.registeredIn !== state.generation) {
    room.registeredIn = state.generation;
    room.handler = (err, envelope) => { if (!err) onRoomEvent(name, envelope.body); };
    state.eb.registerHandler(ADDRESS.room(name), room.handler);
  }
  const body = { room: name, nick: state.nick };
  if (TOKEN) body.token = TOKEN;
  if (known) {
    body.since = room.lastId;
    if (room.epoch) body.epoch = room.epoch; // ids mean something only within their epoch
  }
  request(ADDRESS.join, body, (err, reply) => (err ? joinRefused(name, known, err) : joined(reply)));
}

function joined(reply) {
  const room = state.rooms.get(reply.room);
  if (!room) return;
  state.identified = true;
  state.nickRetries = 0;
  localStorage.setItem('parley.nick', state.nick);
  showChat();
  setConnectionState('online', 'connected as ' + state.nick);
  setComposerEnabled(true);
  room.members = new Set(reply.members);
  room.membersVersion = reply.membersVersion;
  const previousEpoch = room.epoch;
  room.epoch = reply.epoch;
  if ((previousEpoch && reply.epoch !== previousEpoch) || reply.lastId < room.lastId) {
    // The room's history was reset (a lone server, or a whole cluster, restarted): its ids start again.
    room.messages = [];
    room.lastId = 0;
    room.complete = false;
    addSystemLine(reply.room, 'The room\'s history was reset.');
  } else if (reply.recovered === false) {
    addSystemLine(reply.room, 'Some messages may be missing since you were last here.');
  }
  reply.history.forEach((message) => addMessage(message, false));
  room.lastId = Math.max(room.lastId, reply.lastId);
  // Events that arrived while the join was on its way, through the merge's rule.
  room.joining = false;
  room.pending.forEach((frame) => { if (admits(room, frame)) applyRoomEvent(reply.room, frame); });
  room.pending = [];
  if (room.open || !state.active || !state.rooms.has(state.active)) {
    room.open = false;
    setActive(reply.room);
  }
  else if (reply.room === state.active) { renderMembers(); renderMessages(false); }
  renderRoomList();
}

function joinRefused(name, known, err) {
  const room = state.rooms.get(name);
  if (room) { room.joining = false; room.pending = []; }
  if ((err.code === 'nick_taken' && state.identified) || err.code === 'unavailable') {
    // Our own previous connection may still hold the nick until the server notices it is gone, or the node cannot
    // serve for a moment (its database, or most of its cluster, out of reach): try every room again in a moment
    // (one retry for all of them).
    if (state.nickRetries < NICK_RETRIES) {
      if (!state.nickRetry) {
        state.nickRetries++;
        setConnectionState('connecting', err.code === 'unavailable' ? 'the server is unavailable; retrying…'
          : 'waiting for the previous session to end…');
        state.nickRetry = setTimeout(() => {
          state.nickRetry = null;
          if (isOpen()) [...state.rooms.keys()].forEach((roomName) => joinRoom(roomName));
        }, NICK_RETRY_MS);
      }
      return;
    }
  }
  if (['nick_taken', 'invalid_nick', 'nick_mismatch', 'auth_required', 'invalid_token'].includes(err.code)) {
    logOut(err.message);
    return;
  }
  if (!known && room) forgetRoom(name, room);
  showNotice(err.message);
  renderRoomList();
}

/** Drops a room from the page and, if registered on this connection, its address. */
function forgetRoom(name, room) {
  state.rooms.delete(name);
  if (room.registeredIn === state.generation && isOpen()) state.eb.unregisterHandler(ADDRESS.room(name), room.handler);
}

function leaveRoom(name) {
  request(ADDRESS.leave, { room: name }, (err) => {
    if (err) { showNotice(err.message); return; }
    const room = state.rooms.get(name);
    if (room) forgetRoom(name, room);
    if (state.active === name) setActive(state.rooms.keys().next().value || null);
    refreshRooms();
  });
}

function refreshRooms() {
  request(ADDRESS.rooms, {}, (err, reply) => {
    if (err) return;
    state.directory = reply.rooms;
    renderRoomList();
  });
}

function logOut(message) {
  const eb = state.eb;
  state.eb = null;
  state.identified = false;
  state.rooms.clear();
  state.active = null;
  if (eb) eb.close();
  ui.nickError.textContent = message;
  ui.login.hidden = false;
  ui.chat.hidden = true;
  setConnectionState('offline', 'offline');
}

// ---- room events -----------------------------------------------------------------------------

// The join merge, as docs/PROTOCOL.md describes it ("Joining: the snapshot and the live stream") and the server
// does it for /ws clients (io.parley.connection.RoomCursor). The bridge delivers the room's stream as it is:
//  1. while a join is in flight, hold the room's live events (room.pending);
//  2. the join's reply says what we have: its history up to lastId, its members at membersVersion; then release
//     what was held, in order, through the rule;
//  3. the rule: a message passes if its id is above the last one we have; a presence if its version is above the
//     snapshot's (not the highest seen: different nicks' changes commute); our own presence and typing never.
function onRoomEvent(name, frame) {
  const room = state.rooms.get(name);
  if (!room) return;
  if (room.joining) room.pending.push(frame);
  else if (admits(room, frame)) applyRoomEvent(name, frame);
}

function admits(room, frame) {
  if (frame.type === 'message') return frame.id > room.lastId;
  if (frame.type === 'presence' && frame.version <= room.membersVersion) return false;
  return frame.nick !== state.nick;
}

function applyRoomEvent(name, frame) {
  if (frame.type === 'message') addMessage(frame, true);
  else if (frame.type === 'presence') onPresence(name, frame);
  else if (frame.type === 'typing') onTyping(name, frame);
}

function onPresence(name, frame) {
  const room = state.rooms.get(name);
  const here = room.members.has(frame.nick);
  if (frame.event === 'join') room.members.add(frame.nick);
  else room.members.delete(frame.nick);
  room.typing.delete(frame.nick);
  if (here !== (frame.event === 'join')) {
    addSystemLine(name, `${frame.nick} ${frame.event === 'join' ? 'joined' : 'left'}`);
  }
  if (name === state.active) { renderMembers(); renderTyping(); }
}

function onTyping(name, frame) {
  const room = state.rooms.get(name);
  room.typing.set(frame.nick, Date.now() + TYPING_SHOW_MS);
  if (name === state.active) renderTyping();
  setTimeout(renderTyping, TYPING_SHOW_MS + 50);
}

// ---- room state ----------------------------------------------------------------------------

function newRoom() {
  return {
    lastId: 0, epoch: null, messages: [], members: new Set(), membersVersion: 0, unread: 0, typing: new Map(), complete: false,
    joining: false, pending: [], registeredIn: 0, handler: null, open: false,
  };
}

function firstId(room) {
  const first = room.messages.find((entry) => entry.kind === 'message');
  return first ? first.message.id : room.lastId + 1;
}

// Messages are deduplicated by id: a resume or a resync never shows one twice.
function addMessage(message, live) {
  const room = state.rooms.get(message.room);
  if (!room || message.id <= room.lastId) return;
  room.lastId = message.id;
  room.messages.push({ kind: 'message', message });
  room.typing.delete(message.from);
  if (message.room === state.active) {
    appendEntry(room.messages[room.messages.length - 1]);
    renderTyping();
  } else if (live) {
    room.unread++;
    renderRoomList();
  }
}

function addSystemLine(roomName, text) {
  const room = state.rooms.get(roomName);
  if (!room) return;
  const entry = { kind: 'system', text };
  room.messages.push(entry);
  if (roomName === state.active) appendEntry(entry);
}

function loadOlder() {
  const name = state.active;
  const room = state.rooms.get(name);
  if (!room) return;
  request(ADDRESS.history, { room: name, before: firstId(room), limit: 50 }, (err, reply) => {
    if (err) { showNotice(err.message); return; }
    const current = state.rooms.get(name);
    if (!current) return;
    const older = reply.messages.filter((m) => m.id < firstId(current));
    current.messages = older.map((m) => ({ kind: 'message', message: m })).concat(current.messages);
    current.complete = older.length === 0 || older[0].id <= 1;
    if (name === state.active) renderMessages(false);
  });
}

function setActive(roomName) {
  state.active = roomName;
  const room = state.rooms.get(roomName);
  if (room) room.unread = 0;
  document.body.classList.remove('menu-open', 'members-open');
  renderRoomList();
  renderMessages(true);
  renderMembers();
  renderTyping();
  setComposerEnabled(isOpen() && !!room && !room.joining);
}

// ---- rendering (textContent only) -----------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showChat() {
  ui.login.hidden = true;
  ui.chat.hidden = false;
  ui.menu.hidden = false;
  ui.membersToggle.hidden = false;
}

function renderMessages(scrollToEnd) {
  const room = state.rooms.get(state.active);
  const previousHeight = ui.messages.scrollHeight;
  const previousTop = ui.messages.scrollTop;
  ui.messages.replaceChildren();
  if (!room) { ui.loadOlder.hidden = true; return; }
  room.messages.forEach((entry) => ui.messages.appendChild(renderEntry(entry)));
  updateLoadOlder(room);
  // Keep the view still when older messages are put above it.
  ui.messages.scrollTop = scrollToEnd ? ui.messages.scrollHeight : previousTop + ui.messages.scrollHeight - previousHeight;
}

function updateLoadOlder(room) {
  ui.loadOlder.hidden = room.complete || firstId(room) <= 1;
}

function appendEntry(entry) {
  const atEnd = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
  ui.messages.appendChild(renderEntry(entry));
  if (atEnd || (entry.message && entry.message.from === state.nick)) ui.messages.scrollTop = ui.messages.scrollHeight;
  updateLoadOlder(state.rooms.get(state.active));
}

function renderEntry(entry) {
  if (entry.kind === 'system') return el('li', 'system', entry.text);
  const m = entry.message;
  const item = el('li', 'message' + (m.from === state.nick ? ' mine' : ''));
  item.dataset.id = m.id;
  const header = el('div');
  const time = el('time', 'time', formatTime(m.ts));
  time.dateTime = new Date(m.ts).toISOString();
  header.append(el('span', 'author', m.from), time);
  item.append(header, el('div', 'text', m.text));
  return item;
}

function formatTime(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderMembers() {
  const room = state.rooms.get(state.active);
  ui.members.replaceChildren();
  ui.roomTitle.textContent = room ? `#${state.active} · ${room.members.size}` : '';
  ui.input.placeholder = room ? `Message #${state.active}` : 'Join a room';
  if (!room) return;
  [...room.members].sort().forEach((nick) => ui.members.appendChild(el('li', nick === state.nick ? 'me' : '', nick)));
}

function renderTyping() {
  const room = state.rooms.get(state.active);
  const now = Date.now();
  const typists = room ? [...room.typing].filter(([, until]) => until > now).map(([nick]) => nick) : [];
  ui.typing.textContent = typists.length === 0 ? ''
    : typists.length === 1 ? `${typists[0]} is typing…` : `${typists.join(', ')} are typing…`;
}

function renderRoomList() {
  const names = new Set([...state.directory.map((r) => r.room), ...state.rooms.keys()]);
  const counts = new Map(state.directory.map((r) => [r.room, r.members]));
  ui.roomList.replaceChildren();
  [...names].sort().forEach((name) => {
    const room = state.rooms.get(name);
    const item = el('li', (room ? 'joined' : '') + (name === state.active ? ' active' : ''));
    item.append(el('span', 'name', name));
    if (room && room.unread > 0) item.append(el('span', 'unread', String(room.unread)));
    item.append(el('span', 'count', String(room ? room.members.size : counts.get(name) ?? 0)));
    if (room) {
      const leave = el('button', 'leave', '×');
      leave.title = 'Leave #' + name;
      leave.setAttribute('aria-label', 'Leave #' + name);
      leave.addEventListener('click', (event) => { event.stopPropagation(); leaveRoom(name); });
      item.append(leave);
    }
    item.addEventListener('click', () => (room ? setActive(name) : joinRoom(name, true)));
    ui.roomList.appendChild(item);
  });
}

function setComposerEnabled(enabled) {
  ui.input.disabled = !enabled;
  ui.send.disabled = !enabled;
  updateCount();
}

function showNotice(text) {
  ui.notice.textContent = text;
  setTimeout(() => { if (ui.notice.textContent === text) ui.notice.textContent = ''; }, 5000);
}

function updateCount() {
  const length = [...ui.input.value].length;
  ui.count.textContent = length > MAX_TEXT_LENGTH * 0.8 ? `${length}/${MAX_TEXT_LENGTH}` : '';
  ui.send.disabled = ui.input.disabled || length > MAX_TEXT_LENGTH;
}

// ---- user actions --------------------------------------------------------------------------

ui.nickForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const nick = ui.nickInput.value.trim();
  if (!NAME.test(nick)) {
    ui.nickError.textContent = 'Use 1 to 32 letters, digits, _ or -.';
    return;
  }
  ui.nickError.textContent = '';
  state.nick = nick;
  connect();
});

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.joinInput.value.trim();
  if (!ROOM.test(name)) { showNotice('Room names use 1 to 64 letters, digits, _ or -.'); return; }
  ui.joinInput.value = '';
  if (state.rooms.has(name)) setActive(name);
  else joinRoom(name, true);
});

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.input.value;
  if (!state.active || text.trim() === '') return;
  const cid = `${Date.now().toString(36)}-${++state.cidCounter}`;
  // The message comes back through the room, with its id: that is the acknowledgement.
  const sent = request(ADDRESS.send, { room: state.active, text, cid }, (err) => {
    if (err) showNotice(err.message);
  });
  if (sent) {
    ui.input.value = '';
    updateCount();
  }
});

ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.input.addEventListener('input', () => {
  updateCount();
  const now = Date.now();
  if (state.active && ui.input.value && isOpen() && now - state.lastTypingSent > TYPING_SEND_EVERY_MS) {
    state.lastTypingSent = now;
    state.eb.send(ADDRESS.typing, { room: state.active });
  }
});

ui.loadOlder.addEventListener('click', loadOlder);
ui.menu.addEventListener('click', () => document.body.classList.toggle('menu-open'));
ui.membersToggle.addEventListener('click', () => document.body.classList.toggle('members-open'));

setInterval(() => { if (state.identified) refreshRooms(); }, ROOMS_REFRESH_MS);

ui.nickInput.value = state.nick;
if (state.nick && NAME.test(state.nick)) connect();
