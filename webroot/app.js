// Parley web client: speaks the /ws JSON protocol of docs/PROTOCOL.md.
// All server-provided text is rendered with textContent, never as HTML.
'use strict';

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const TYPING_SHOW_MS = 3000;
const TYPING_SEND_EVERY_MS = 2000;
const ROOMS_REFRESH_MS = 10000;

const $ = (id) => document.getElementById(id);
const ui = {
  login: $('login'), chat: $('chat'), nickForm: $('nick-form'), nickInput: $('nick-input'),
  nickError: $('nick-error'), state: $('connection-state'), roomTitle: $('room-title'),
  roomList: $('room-list'), joinForm: $('join-form'), joinInput: $('join-input'),
  messages: $('messages'), members: $('members'), typing: $('typing'), loadOlder: $('load-older'),
  composer: $('composer'), input: $('message-input'), send: $('send-button'), count: $('char-count'),
  notice: $('notice'), menu: $('menu-toggle'),
};

const state = {
  nick: localStorage.getItem('parley.nick') || '',
  welcomed: false,
  socket: null,
  retries: 0,
  limits: { maxTextLength: 4096 },
  rooms: new Map(),     // joined rooms: name -> { lastId, messages[], members:Set, unread, typing:Map }
  directory: [],        // the server's room list: [{room, members, lastId}]
  active: null,
  lastTypingSent: 0,
  cidCounter: 0,
};

// ---- connection ----------------------------------------------------------------------------

function connect() {
  setConnectionState('connecting', 'connecting…');
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const socket = new WebSocket(scheme + location.host + '/ws');
  state.socket = socket;
  socket.onopen = () => send({ type: 'hello', nick: state.nick });
  socket.onmessage = (event) => handleFrame(JSON.parse(event.data));
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    state.welcomed = false;
    setComposerEnabled(false);
    if (event.code === 1009) showNotice('Your last message was too large for the server.');
    scheduleReconnect();
  };
}

// Exponential back-off from 1 s to 15 s, with jitter so that clients of a restarted node spread out.
function scheduleReconnect() {
  const delay = Math.min(15000, 1000 * 2 ** state.retries) * (0.75 + Math.random() * 0.5);
  state.retries++;
  const until = Date.now() + delay;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left > 0) {
      setConnectionState('offline', `reconnecting in ${left}s`);
      setTimeout(tick, 500);
    } else {
      connect();
    }
  };
  tick();
}

function send(frame) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function setConnectionState(kind, label) {
  ui.state.className = 'state state-' + kind;
  ui.state.textContent = label;
}

// ---- frames from the server ----------------------------------------------------------------

const handlers = {
  welcome(frame) {
    state.welcomed = true;
    state.retries = 0;
    state.limits = frame.limits || state.limits;
    localStorage.setItem('parley.nick', state.nick);
    setConnectionState('online', 'connected as ' + frame.nick);
    ui.login.hidden = true;
    ui.chat.hidden = false;
    ui.menu.hidden = false;
    setComposerEnabled(true);
    // Resume every room with `since`: the server sends exactly what we missed.
    if (state.rooms.size === 0) {
      send({ type: 'join', room: 'general' });
    }
    for (const [name, room] of state.rooms) {
      send({ type: 'join', room: name, since: room.lastId });
    }
    send({ type: 'rooms' });
  },

  joined(frame) {
    const fresh = !state.rooms.has(frame.room);
    const room = fresh ? newRoom() : state.rooms.get(frame.room);
    state.rooms.set(frame.room, room);
    room.members = new Set(frame.members);
    if (frame.recovered === false) {
      addSystemLine(frame.room, 'Some messages may be missing since you were last here.');
    }
    frame.history.forEach((message) => addMessage(message, false));
    if (fresh || !state.active) setActive(frame.room);
    else if (frame.room === state.active) renderMembers();
    send({ type: 'rooms' });
  },

  left(frame) {
    state.rooms.delete(frame.room);
    if (state.active === frame.room) setActive(state.rooms.keys().next().value || null);
    send({ type: 'rooms' });
  },

  message(frame) {
    addMessage(frame, true);
  },

  presence(frame) {
    const room = state.rooms.get(frame.room);
    if (!room) return;
    if (frame.event === 'join') room.members.add(frame.nick);
    else room.members.delete(frame.nick);
    room.typing.delete(frame.nick);
    addSystemLine(frame.room, `${frame.nick} ${frame.event === 'join' ? 'joined' : 'left'}`);
    if (frame.room === state.active) { renderMembers(); renderTyping(); }
  },

  typing(frame) {
    const room = state.rooms.get(frame.room);
    if (!room) return;
    room.typing.set(frame.nick, Date.now() + TYPING_SHOW_MS);
    if (frame.room === state.active) renderTyping();
    setTimeout(renderTyping, TYPING_SHOW_MS + 50);
  },

  rooms(frame) {
    state.directory = frame.rooms;
    renderRoomList();
  },

  history(frame) {
    const room = state.rooms.get(frame.room);
    if (!room) return;
    const older = frame.messages.filter((m) => room.messages.length === 0 || m.id < firstId(room));
    room.messages = older.map((m) => ({ kind: 'message', message: m })).concat(room.messages);
    room.complete = frame.messages.length === 0;
    if (frame.room === state.active) renderMessages(false);
  },

  error(frame) {
    if (!state.welcomed) {
      ui.nickError.textContent = frame.message;
      ui.login.hidden = false;
      ui.chat.hidden = true;
      state.socket.onclose = null;
      state.socket.close();
      setConnectionState('offline', 'offline');
    } else {
      showNotice(frame.message);
    }
  },
};

function handleFrame(frame) {
  const handler = handlers[frame.type];
  if (handler) handler(frame);
}

// ---- room state ----------------------------------------------------------------------------

function newRoom() {
  return { lastId: 0, messages: [], members: new Set(), unread: 0, typing: new Map(), complete: false };
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

function setActive(roomName) {
  state.active = roomName;
  const room = state.rooms.get(roomName);
  if (room) room.unread = 0;
  document.body.classList.remove('menu-open');
  renderRoomList();
  renderMessages(true);
  renderMembers();
  renderTyping();
}

// ---- rendering (textContent only) -----------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderMessages(scrollToEnd) {
  const room = state.rooms.get(state.active);
  const previousHeight = ui.messages.scrollHeight;
  ui.messages.replaceChildren();
  if (!room) { ui.loadOlder.hidden = true; return; }
  room.messages.forEach((entry) => ui.messages.appendChild(renderEntry(entry)));
  ui.loadOlder.hidden = room.complete || firstId(room) <= 1;
  // Keep the view still when older messages are put above it.
  ui.messages.scrollTop = scrollToEnd ? ui.messages.scrollHeight : ui.messages.scrollHeight - previousHeight;
}

function appendEntry(entry) {
  const atEnd = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
  ui.messages.appendChild(renderEntry(entry));
  if (atEnd || (entry.message && entry.message.from === state.nick)) ui.messages.scrollTop = ui.messages.scrollHeight;
  ui.loadOlder.hidden = state.rooms.get(state.active).complete || firstId(state.rooms.get(state.active)) <= 1;
}

function renderEntry(entry) {
  if (entry.kind === 'system') return el('li', 'system', entry.text);
  const m = entry.message;
  const item = el('li', 'message' + (m.from === state.nick ? ' mine' : ''));
  item.dataset.id = m.id;
  const header = el('div');
  header.append(el('span', 'author', m.from), el('time', 'time', formatTime(m.ts)));
  header.lastChild.dateTime = new Date(m.ts).toISOString();
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
    item.append(el('span', 'count', String(counts.get(name) ?? room?.members.size ?? 0)));
    if (room) {
      const leave = el('button', 'leave', '×');
      leave.title = 'Leave #' + name;
      leave.addEventListener('click', (event) => { event.stopPropagation(); send({ type: 'leave', room: name }); });
      item.append(leave);
    }
    item.addEventListener('click', () => (room ? setActive(name) : send({ type: 'join', room: name })));
    ui.roomList.appendChild(item);
  });
}

function setComposerEnabled(enabled) {
  ui.input.disabled = !enabled;
  ui.send.disabled = !enabled;
}

function showNotice(text) {
  ui.notice.textContent = text;
  setTimeout(() => { if (ui.notice.textContent === text) ui.notice.textContent = ''; }, 5000);
}

function updateCount() {
  const length = [...ui.input.value].length;
  const max = state.limits.maxTextLength;
  ui.count.textContent = length > max * 0.8 ? `${length}/${max}` : '';
  ui.send.disabled = ui.input.disabled || length > max;
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
  else send({ type: 'join', room: name });
});

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.input.value;
  if (!state.active || text.trim() === '') return;
  const cid = `${Date.now().toString(36)}-${++state.cidCounter}`;
  if (send({ type: 'send', room: state.active, text, cid })) {
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
  if (state.active && ui.input.value && now - state.lastTypingSent > TYPING_SEND_EVERY_MS) {
    state.lastTypingSent = now;
    send({ type: 'typing', room: state.active });
  }
});

ui.loadOlder.addEventListener('click', () => {
  const room = state.rooms.get(state.active);
  if (room) send({ type: 'history', room: state.active, before: firstId(room), limit: 50 });
});

ui.menu.addEventListener('click', () => document.body.classList.toggle('menu-open'));

setInterval(() => { if (state.welcomed) send({ type: 'rooms' }); }, ROOMS_REFRESH_MS);

ui.nickInput.value = state.nick;
if (state.nick && NAME.test(state.nick)) connect();
