// Parley web client. Speaks to the SockJS event-bus bridge at /eventbus with the official Vert.x client
// (vendor/vertx-eventbus.js, over vendor/sockjs.min.js): see "Event-bus bridge" and "Users, devices, private rooms
// and direct messages" in docs/PROTOCOL.md.
// All server-provided text is rendered with textContent, never as HTML.
'use strict';

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const TYPING_SHOW_MS = 3000;
const TYPING_SEND_EVERY_MS = 2000;
const ROOMS_REFRESH_MS = 10000;
const MAX_TEXT_LENGTH = 4096; // the server's default MAX_TEXT_LENGTH; it refuses longer text with text_too_long
const RETRY_MS = 2000;        // after `unavailable`: the node cannot serve for a moment (its store, its quorum)
const READ_DELAY_MS = 300;    // read markers are sent at most this often per room: a burst of messages costs one

// When the server authenticates (JWT_KEY), a login page of the operator's sends people here with #token=<JWT>;
// the token is kept for this tab and sent with every hello. The nick typed must be the token's.
const TOKEN = (() => {
  const found = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (found) {
    sessionStorage.setItem('parley.token', decodeURIComponent(found[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('parley.token');
})();

const ADDRESS = {
  hello: 'chat.hello', join: 'chat.join', leave: 'chat.leave', send: 'chat.send', typing: 'chat.typing',
  rooms: 'chat.rooms', history: 'chat.history', members: 'chat.members', invite: 'chat.invite', remove: 'chat.remove', read: 'chat.read',
  user: 'chat.user', room: (name) => 'chat.room.' + name,
  role: 'chat.role', kick: 'chat.kick', ban: 'chat.ban', unban: 'chat.unban', mute: 'chat.mute',
  edit: 'chat.edit', delete: 'chat.delete', react: 'chat.react',
};
// Changes to a room are room events with ids of their own, among the messages (docs/PROTOCOL.md, "Roles, moderation").
const CHANGES = new Set(['edit', 'delete', 'reaction', 'kick', 'ban', 'unban', 'mute', 'role']);
const REACTIONS = ['👍', '❤️', '😂'];   // offered under every message; others people used show as well
const MUTE_SECONDS = 600;

// What this browser remembers per nick, in localStorage (shared by its tabs): the guest `session` that makes a
// second tab, or a reconnect after a silent drop, the same user at once; and the rooms the user is in, which a new
// tab joins too.
const stored = {
  sessionKey: (nick) => 'parley.session.' + nick,
  roomsKey: (nick) => 'parley.rooms.' + nick,
  rooms(nick) {
    try {
      const names = JSON.parse(localStorage.getItem(this.roomsKey(nick)) || '[]');
      return Array.isArray(names) ? names.filter((name) => typeof name === 'string' && ROOM.test(name)) : [];
    } catch (e) {
      return [];
    }
  },
  saveRooms() {
    if (state.nick) localStorage.setItem(this.roomsKey(state.nick), JSON.stringify([...state.rooms.keys()]));
  },
};

const $ = (id) => document.getElementById(id);
const ui = {
  login: $('login'), chat: $('chat'), nickForm: $('nick-form'), nickInput: $('nick-input'),
  nickError: $('nick-error'), state: $('connection-state'), roomTitle: $('room-title'),
  roomList: $('room-list'), joinForm: $('join-form'), joinInput: $('join-input'), joinPrivate: $('join-private'),
  invitationsTitle: $('invitations-title'), invitations: $('invitations'),
  inviteForm: $('invite-form'), inviteInput: $('invite-input'),
  messages: $('messages'), members: $('members'), typing: $('typing'), loadOlder: $('load-older'),
  composer: $('composer'), input: $('message-input'), send: $('send-button'), count: $('char-count'),
  notice: $('notice'), menu: $('menu-toggle'), membersToggle: $('members-toggle'),
};

const state = {
  nick: localStorage.getItem('parley.nick') || '',
  eb: null,
  generation: 0,        // +1 per bridge connection: handlers are registered once per connection
  identified: false,    // chat.hello succeeded on the current connection: the nick is ours
  retry: null,          // the timer of a pending retry after `unavailable`
  rooms: new Map(),     // name -> see newRoom()
  directory: [],        // the server's room list: [{room, kind, members, lastId, access?, with?, read, unread}]
  invitations: new Map(), // room -> {room, kind, by, with?}: rooms we may join but have not
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

// Every (re)connection says hello first (with our session: we are the same user at once, even while the server
// still holds our previous connection), then joins every room we are in, with `since`: the server sends exactly
// what we missed.
function onOpen(eb) {
  if (state.eb !== eb) return;
  state.generation++;
  state.identified = false;
  hello();
}

function onClose(eb) {
  if (state.eb !== eb) return;
  state.identified = false;
  clearTimeout(state.retry);
  state.retry = null;
  for (const room of state.rooms.values()) {
    room.joining = false;
    // A read marker on its way may be lost with the connection (its answer never comes): send it again later.
    clearTimeout(room.readTimer);
    room.readTimer = null;
    room.readSent = room.read;
  }
  setComposerEnabled(false);
  setConnectionState('offline', 'offline · reconnecting…');
}

function hello() {
  setConnectionState('connecting', 'signing in…');
  const body = { nick: state.nick };
  const session = localStorage.getItem(stored.sessionKey(state.nick));
  if (session) body.session = session;
  if (TOKEN) body.token = TOKEN;
  const generation = state.generation;
  request(ADDRESS.hello, body, (err, reply) => {
    if (generation !== state.generation) return; // the answer of a connection that is gone
    if (err) helloRefused(err);
    else welcomed(reply);
  });
}

function welcomed(reply) {
  state.identified = true;
  localStorage.setItem('parley.nick', state.nick);
  if (reply.session) localStorage.setItem(stored.sessionKey(state.nick), reply.session);
  showChat();
  setConnectionState('online', 'connected as ' + state.nick);
  // The frames for the user (other tabs' joins, leaves and reads; invitations; removals). The client forgets its
  // handlers when the connection drops, so this is registered again on every connection.
  state.eb.registerHandler(ADDRESS.user, (err, envelope) => { if (!err) onUserFrame(envelope.body); });
  const names = state.rooms.size > 0 ? [...state.rooms.keys()] : stored.rooms(state.nick);
  (names.length > 0 ? names : ['general']).forEach((name) => joinRoom(name));
  refreshRooms();
}

function helloRefused(err) {
  if (err.code === 'unavailable' || err.code === 'no_answer') {
    retryLater('the server is unavailable; retrying…', hello);
    return;
  }
  if (err.code === 'nick_taken') {
    // With our session this cannot happen: the session we had is no longer the nick's (it expired, and someone
    // else took the nick). Forget it.
    localStorage.removeItem(stored.sessionKey(state.nick));
    logOut(`The nick ${state.nick} is taken by someone else; pick another.`);
    return;
  }
  logOut(err.message);
}

/** One pending retry at a time, on this connection only. */
function retryLater(label, action) {
  if (state.retry) return;
  setConnectionState('connecting', label);
  const generation = state.generation;
  state.retry = setTimeout(() => {
    state.retry = null;
    if (isOpen() && generation === state.generation) action();
  }, RETRY_MS);
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
    return space < 0 ? { code: err.message, message: err.message }
      : { code: err.message.slice(0, space), message: err.message.slice(space + 1) };
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
 * room once joined (the user asked for it; a resume after a reconnect, or another tab's join, does not).
 * `visibility: 'private'` creates the room as private if it does not exist yet.
 */
function joinRoom(name, open = false, visibility = null) {
  if (!isOpen() || !state.identified) return;
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
  const body = { room: name };
  if (visibility) body.visibility = visibility;
  if (known) {
    body.since = room.lastId;
    if (room.epoch) body.epoch = room.epoch; // ids mean something only within their epoch
  }
  request(ADDRESS.join, body, (err, reply) => (err ? joinRefused(name, known, err) : joined(reply)));
}

function joined(reply) {
  const room = state.rooms.get(reply.room);
  if (!room) return;
  room.joinedIn = state.generation;
  room.kind = reply.kind || 'public';
  room.owner = reply.owner || null;
  room.with = reply.with || null;
  room.role = reply.role || 'member';
  room.moderators = new Set(reply.moderators || []);
  room.mutedUntil = reply.mutedUntil || null;
  room.members = new Set(reply.members);
  room.membersVersion = reply.membersVersion;
  // A big room's reply holds the first page of its members; the count says how many there are.
  room.memberCount = reply.memberCount ?? reply.members.length;
  room.countVersion = reply.membersVersion;
  room.membersNext = reply.membersNext || null;
  const previousEpoch = room.epoch;
  room.epoch = reply.epoch;
  if ((previousEpoch && reply.epoch !== previousEpoch) || reply.lastId < room.lastId) {
    // The room's history was reset (a lone server, or a whole cluster, restarted): its ids start again.
    room.messages = [];
    room.lastId = 0;
    room.read = 0;
    room.seen = 0;
    room.readSent = 0;
    room.complete = false;
    addSystemLine(reply.room, 'The room\'s history was reset.');
  } else if (reply.recovered === false) {
    addSystemLine(reply.room, 'Some messages may be missing since you were last here.');
  }
  reply.history.forEach((event) => addEvent(event));
  room.lastId = Math.max(room.lastId, reply.lastId);
  if (typeof reply.read === 'number') room.read = Math.max(room.read, reply.read);
  // Events that arrived while the join was on its way, through the merge's rule.
  room.joining = false;
  room.pending.forEach((frame) => { if (admits(room, frame)) applyRoomEvent(reply.room, frame); });
  room.pending = [];
  state.invitations.delete(reply.room);
  stored.saveRooms();
  if (room.open || !state.active || !state.rooms.has(state.active)) {
    room.open = false;
    setActive(reply.room);
  } else if (reply.room === state.active) {
    renderMembers(); renderMessages(false); markRead(reply.room);
    setComposerEnabled(true);
  }
  renderRoomList();
  renderInvitations();
}

function joinRefused(name, known, err) {
  const room = state.rooms.get(name);
  if (room) { room.joining = false; room.pending = []; }
  if (err.code === 'unavailable') {
    // The node cannot serve for a moment (its database, or most of its cluster, out of reach): join again soon
    // every room not joined on this connection (one retry for all of them).
    retryLater('the server is unavailable; retrying…', rejoinMissing);
    return;
  }
  // A private room we may not join (never invited, or removed while we were away) goes, known or not.
  if (room && (!known || err.code === 'forbidden')) dropRoom(name, room);
  showNotice(`Cannot join ${label(name)}: ${err.message} (${err.code})`);
  if (isOpen()) setConnectionState('online', 'connected as ' + state.nick);
}

function rejoinMissing() {
  setConnectionState('online', 'connected as ' + state.nick);
  for (const [name, room] of state.rooms) if (room.joinedIn !== state.generation && !room.joining) joinRoom(name);
}

/**
 * Opens the direct conversation with `nick`. Its room's name is the server's choice, so this first join could not
 * follow the room's address beforehand: its reply is the snapshot up to `lastId`; following the address now, then
 * joining again by name with `since` = that `lastId` gets everything said after it (docs/PROTOCOL.md, "Direct
 * messages").
 */
function openDirect(nick) {
  const open = [...state.rooms].find(([, room]) => room.kind === 'direct' && room.with === nick);
  if (open) { setActive(open[0]); return; }
  request(ADDRESS.join, { with: nick }, (err, reply) => {
    if (err) { showNotice(`Cannot open a conversation with ${nick}: ${err.message} (${err.code})`); return; }
    if (!state.rooms.has(reply.room)) {
      const room = newRoom();
      room.joining = true;
      state.rooms.set(reply.room, room);
      joined(reply);
    }
    joinRoom(reply.room, true);
  });
}

/** Drops a room from the page and, if registered on this connection, its address. */
function dropRoom(name, room) {
  state.rooms.delete(name);
  clearTimeout(room.readTimer);
  if (room.registeredIn === state.generation && isOpen()) state.eb.unregisterHandler(ADDRESS.room(name), room.handler);
  stored.saveRooms();
  if (state.active === name) setActive(state.rooms.keys().next().value || null);
  renderRoomList();
}

function leaveRoom(name) {
  request(ADDRESS.leave, { room: name }, (err) => {
    // not_joined: this connection was not in it (its join was refused, or still on its way): gone all the same.
    if (err && err.code !== 'not_joined') { showNotice(err.message); return; }
    const room = state.rooms.get(name);
    if (room) dropRoom(name, room);
    refreshRooms();
  });
}

function refreshRooms() {
  request(ADDRESS.rooms, {}, (err, reply) => {
    if (err) return;
    state.directory = reply.rooms;
    for (const entry of reply.rooms) {
      const room = state.rooms.get(entry.room);
      // A read marker another tab moved while this one was away (its `read` frame missed) is caught up here.
      if (room && typeof entry.read === 'number') room.read = Math.max(room.read, entry.read);
      if (entry.access === 'invited' && !room) {
        if (!state.invitations.has(entry.room)) state.invitations.set(entry.room, { room: entry.room, kind: entry.kind });
      } else if (entry.kind === 'private' && entry.access) {
        state.invitations.delete(entry.room); // a member (or the owner) now
      }
    }
    renderRoomList();
    renderInvitations();
  });
}

function logOut(message) {
  const eb = state.eb;
  state.eb = null;
  state.identified = false;
  clearTimeout(state.retry);
  state.retry = null;
  state.rooms.clear();
  state.directory = [];
  state.invitations.clear();
  state.active = null;
  if (eb) eb.close();
  ui.nickError.textContent = message;
  ui.login.hidden = false;
  ui.chat.hidden = true;
  setConnectionState('offline', 'offline');
}

// ---- frames for the user (chat.user) --------------------------------------------------------

function onUserFrame(frame) {
  if (frame.type === 'device') onDevice(frame);
  else if (frame.type === 'read') onRead(frame);
  else if (frame.type === 'invited') onInvited(frame);
  else if (frame.type === 'removed') onRemoved(frame);
}

// Another tab (or device) of ours joined or left a room: this one follows, so that all stay in step. Membership is
// per connection, so leaving here too is what makes the user leave (presence `leave` comes with the last one).
function onDevice(frame) {
  if (frame.event === 'join' && !state.rooms.has(frame.room)) joinRoom(frame.room);
  else if (frame.event === 'leave' && state.rooms.has(frame.room)) leaveRoom(frame.room);
}

// Our read marker moved (here, or in another tab): the badge goes in every tab.
function onRead(frame) {
  const room = state.rooms.get(frame.room);
  if (room) room.read = Math.max(room.read, frame.id);
  const entry = state.directory.find((r) => r.room === frame.room);
  if (entry) { entry.read = frame.id; entry.unread = frame.unread; }
  renderRoomList();
}

function onInvited(frame) {
  if (frame.nick !== state.nick) return;
  if (!state.rooms.has(frame.room)) state.invitations.set(frame.room, frame);
  if (frame.kind === 'direct' && !state.directory.some((r) => r.room === frame.room)) {
    // The conversation shows in the room list at once, not at the next refresh.
    state.directory.push({ room: frame.room, kind: 'direct', with: frame.with || frame.by, members: 0, lastId: 0 });
  }
  showNotice(frame.kind === 'direct' ? `${frame.by} opened a conversation with you.`
    : `${frame.by} invited you to #${frame.room}.`);
  renderRoomList();
  renderInvitations();
}

// The owner removed us: the server has taken every connection of ours out of the room already.
function onRemoved(frame) {
  if (frame.nick !== state.nick) return;
  const room = state.rooms.get(frame.room);
  state.invitations.delete(frame.room);
  state.directory = state.directory.filter((r) => r.room !== frame.room);
  if (room) dropRoom(frame.room, room);
  const how = frame.reason === 'ban' ? (frame.until ? `banned you from #${frame.room} until ${formatTime(frame.until)}`
    : `banned you from #${frame.room}`) : frame.reason === 'kick' ? `kicked you out of #${frame.room}`
    : `removed you from #${frame.room}`;
  showNotice(`${frame.by} ${how}.`);
  renderRoomList();
  renderInvitations();
}

// ---- room events -----------------------------------------------------------------------------

// The join merge, as docs/PROTOCOL.md describes it ("Joining: the snapshot and the live stream") and the server
// does it for /ws clients (io.parley.connection.RoomCursor). The bridge delivers the room's stream as it is:
//  1. while a join is in flight, hold the room's live events (room.pending);
//  2. the join's reply says what we have: its history up to lastId, its members at membersVersion; then release
//     what was held, in order, through the rule;
//  3. the rule: a message passes if its id is above the last one we have; a presence or count if its version is
//     above the snapshot's (not the highest seen: different nicks' changes commute); our own presence and typing never.
//     The count shown is that of the highest version seen (counts of a big room come from every node).
function onRoomEvent(name, frame) {
  const room = state.rooms.get(name);
  if (!room) return;
  if (room.joining) room.pending.push(frame);
  else if (admits(room, frame)) applyRoomEvent(name, frame);
}

function admits(room, frame) {
  if (frame.type === 'message' || CHANGES.has(frame.type)) return frame.id > room.lastId;
  if ((frame.type === 'presence' || frame.type === 'count') && frame.version <= room.membersVersion) return false;
  return frame.nick !== state.nick;
}

function applyRoomEvent(name, frame) {
  if (frame.type === 'message' || CHANGES.has(frame.type)) { addEvent(frame); markRead(name); renderRoomList(); }
  else if (frame.type === 'presence') onPresence(name, frame);
  else if (frame.type === 'count') onCount(name, frame);
  else if (frame.type === 'typing') onTyping(name, frame);
}

function onPresence(name, frame) {
  const room = state.rooms.get(name);
  const here = room.members.has(frame.nick);
  if (frame.event === 'join') room.members.add(frame.nick);
  else room.members.delete(frame.nick);
  room.typing.delete(frame.nick);
  countAt(room, frame);
  if (here !== (frame.event === 'join')) {
    addSystemLine(name, `${frame.nick} ${frame.event === 'join' ? 'joined' : 'left'}`);
  }
  if (name === state.active) { renderMembers(); renderTyping(); }
}

// A big room announces joins and leaves as a count, about once a second.
function onCount(name, frame) {
  countAt(state.rooms.get(name), frame);
  if (name === state.active) renderMembers();
  renderRoomList();
}

function countAt(room, frame) {
  if (typeof frame.count === 'number' && frame.version > room.countVersion) {
    room.memberCount = frame.count;
    room.countVersion = frame.version;
  }
}

function shownCount(room) {
  return room.memberCount ?? room.members.size;
}

// The next page of a big room's members, after the last one shown.
function moreMembers(name) {
  const room = state.rooms.get(name);
  if (!room || !room.membersNext) return;
  request(ADDRESS.members, { room: name, after: room.membersNext }, (err, reply) => {
    if (err) { showNotice(refusal(err).message); return; }
    reply.members.forEach((nick) => room.members.add(nick));
    room.membersNext = reply.next || null;
    if (name === state.active) renderMembers();
  });
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
    kind: 'public', owner: null, with: null,   // as the join's reply says
    role: 'member', moderators: new Set(), mutedUntil: null,
    lastId: 0, epoch: null, messages: [], members: new Set(), membersVersion: 0, typing: new Map(), complete: false,
    memberCount: null, countVersion: 0, membersNext: null, // a big room's count, and where its next page starts
    read: 0, seen: 0, readSent: 0, readTimer: null, // the server's read marker; the newest id shown; the newest sent
    joining: false, pending: [], registeredIn: 0, joinedIn: 0, handler: null, open: false,
  };
}

// Ids are +1 per message, so what is after the read marker is the unread count.
function unreadOf(name) {
  const room = state.rooms.get(name);
  if (room) return Math.max(0, room.lastId - room.read);
  const entry = state.directory.find((r) => r.room === name);
  // Not joined: only rooms of ours (private, direct) count; a public room we never opened is not "unread".
  return entry && entry.kind && entry.kind !== 'public' && entry.access !== 'invited' ? entry.unread || 0 : 0;
}

/**
 * Moves the read marker to the newest message of `name` when it is on screen: the active room of a visible tab.
 * `seen` is what was on screen when asked; sent at most every READ_DELAY_MS, and only when it moves forward.
 */
function markRead(name) {
  const room = state.rooms.get(name);
  if (!room || name !== state.active || document.visibilityState !== 'visible') return;
  room.seen = Math.max(room.seen, room.lastId);
  if (room.readTimer || room.seen <= Math.max(room.read, room.readSent)) return;
  room.readTimer = setTimeout(() => {
    room.readTimer = null;
    const id = room.seen;
    if (state.rooms.get(name) !== room || id <= Math.max(room.read, room.readSent)) return;
    const sent = request(ADDRESS.read, { room: name, id }, (err, reply) => {
      if (err) { room.readSent = room.read; return; } // not moved: try again with the next message
      onRead(reply);
    });
    if (sent) room.readSent = id;
  }, READ_DELAY_MS);
}

function firstId(room) {
  const first = room.messages.find((entry) => entry.kind === 'message');
  return first ? first.message.id : room.lastId + 1;
}

// A room event from the live stream or a join's snapshot, in id order: a message, or a change to one or to a member.
function addEvent(event) {
  if (event.type === 'message') addMessage(event);
  else applyChange(event);
}

// Messages are deduplicated by id: a resume or a resync never shows one twice.
function addMessage(message) {
  const room = state.rooms.get(message.room);
  if (!room || message.id <= room.lastId) return;
  room.lastId = message.id;
  room.messages.push({ kind: 'message', message });
  room.typing.delete(message.from);
  if (message.room === state.active) {
    appendEntry(room.messages[room.messages.length - 1]);
    renderTyping();
  }
}

/**
 * A change event, once (by id). Applied in id order, each leaves the message as the change made it: a snapshot's
 * messages show their state already, and applying its changes again changes nothing (docs/PROTOCOL.md).
 */
function applyChange(event) {
  const room = state.rooms.get(event.room);
  if (!room || event.id <= room.lastId) return;
  room.lastId = event.id;
  if (event.type === 'edit' || event.type === 'delete' || event.type === 'reaction') {
    const entry = room.messages.find((e) => e.kind === 'message' && e.message.id === event.target);
    if (!entry) return; // older than what is shown: a page back shows it as it is now
    const m = entry.message;
    if (event.type === 'delete') { m.deleted = true; delete m.text; }
    else if (event.type === 'edit' && !m.deleted) { m.text = event.text; m.edited = true; }
    else if (event.type === 'reaction') m.reactions = event.reactions;
    if (event.room === state.active) rerender(entry);
    return;
  }
  const me = event.nick === state.nick;
  if (event.type === 'role') {
    if (event.role === 'moderator') room.moderators.add(event.nick); else room.moderators.delete(event.nick);
    if (me && room.role !== 'owner') room.role = event.role;
  } else if (event.type === 'mute' && me) {
    room.mutedUntil = event.until || null;
  } else if (event.type === 'ban' && room.moderators.delete(event.nick) && me) {
    room.role = 'member'; // a banned moderator is one no more
  }
  addSystemLine(event.room, describe(event));
  if (event.room === state.active) renderMembers();
}

function describe(event) {
  const until = event.until ? ` until ${formatTime(event.until)}` : '';
  switch (event.type) {
    case 'kick': return `${event.by} kicked ${event.nick} out`;
    case 'ban': return `${event.by} banned ${event.nick}${until || ' for good'}`;
    case 'unban': return `${event.by} lifted the ban on ${event.nick}`;
    case 'mute': return until ? `${event.by} muted ${event.nick}${until}` : `${event.by} unmuted ${event.nick}`;
    default: return event.role === 'moderator' ? `${event.by} made ${event.nick} a moderator`
      : `${event.by} made ${event.nick} a member`;
  }
}

// ---- changes we make ------------------------------------------------------------------------

function moderates(room) {
  return room.role === 'owner' || room.role === 'moderator';
}

/** Asks for a change; it shows when its event comes back through the room, as everyone else sees it. */
function change(address, body) {
  request(address, body, (err) => { if (err) showNotice(`${err.message} (${err.code})`); });
}

function editMessage(m) {
  const text = window.prompt('Edit your message', m.text);
  if (text !== null && text.trim() !== '' && text !== m.text) change(ADDRESS.edit, { room: m.room, id: m.id, text });
}

function toggleReaction(m, emoji) {
  const on = !((m.reactions || {})[emoji] || []).includes(state.nick);
  change(ADDRESS.react, { room: m.room, id: m.id, emoji, on });
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
    // Messages as they are now; the change events among them are older than what they show.
    const older = reply.messages.filter((m) => m.type === 'message' && m.id < firstId(current));
    current.messages = older.map((m) => ({ kind: 'message', message: m })).concat(current.messages);
    current.complete = reply.messages.length === 0 || reply.messages[0].id <= 1;
    if (name === state.active) renderMessages(false);
  });
}

function setActive(roomName) {
  state.active = roomName;
  const room = state.rooms.get(roomName);
  document.body.classList.remove('menu-open', 'members-open');
  renderRoomList();
  renderMessages(true);
  renderMembers();
  renderTyping();
  const ready = isOpen() && !!room && !room.joining && room.joinedIn === state.generation;
  setComposerEnabled(ready);
  if (ready) markRead(roomName);
}

function invite(nick) {
  const name = state.active;
  request(ADDRESS.invite, { room: name, nick }, (err, reply) => {
    if (err) { showNotice(`Cannot invite ${nick}: ${err.message} (${err.code})`); return; }
    addSystemLine(name, `${reply.nick} is invited`);
  });
}

function removeMember(name, nick) {
  request(ADDRESS.remove, { room: name, nick }, (err, reply) => {
    if (err) { showNotice(`Cannot remove ${nick}: ${err.message} (${err.code})`); return; }
    addSystemLine(name, `${reply.nick} was removed`);
  });
}

// ---- rendering (textContent only) -----------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** How a room is named on screen: "#ops", or "@bob" for the direct conversation with bob. */
function label(name) {
  const room = state.rooms.get(name);
  const entry = state.directory.find((r) => r.room === name) || state.invitations.get(name);
  const other = (room && room.with) || (entry && entry.with);
  return other ? '@' + other : '#' + name;
}

function kindOf(name) {
  const room = state.rooms.get(name);
  if (room) return room.kind;
  const entry = state.directory.find((r) => r.room === name) || state.invitations.get(name);
  return (entry && entry.kind) || 'public';
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
  if (m.edited && !m.deleted) header.append(el('span', 'edited', '(edited)'));
  item.append(header, m.deleted ? el('div', 'text deleted', 'message deleted') : el('div', 'text', m.text));
  if (m.deleted) return item;
  const room = state.rooms.get(m.room);
  const actions = el('div', 'actions');
  const reactions = m.reactions || {};
  [...new Set([...Object.keys(reactions), ...REACTIONS])].forEach((emoji) => {
    const who = reactions[emoji] || [];
    const react = el('button', 'reaction' + (who.includes(state.nick) ? ' on' : ''),
      who.length ? `${emoji} ${who.length}` : emoji);
    react.type = 'button';
    react.title = who.length ? who.join(', ') : `React with ${emoji}`;
    react.addEventListener('click', () => toggleReaction(m, emoji));
    actions.append(react);
  });
  if (m.from === state.nick) actions.append(button('edit', 'Edit your message', () => editMessage(m)));
  if (m.from === state.nick || (room && moderates(room))) {
    actions.append(button('delete', 'Delete this message', () => change(ADDRESS.delete, { room: m.room, id: m.id })));
  }
  item.append(actions);
  return item;
}

/** A message's entry drawn again in place (an edit, a deletion, a reaction). */
function rerender(entry) {
  const shown = ui.messages.querySelector(`li[data-id="${entry.message.id}"]`);
  if (shown) shown.replaceWith(renderEntry(entry));
}

function button(text, title, onClick) {
  const made = el('button', text, text);
  made.type = 'button';
  made.title = title;
  made.addEventListener('click', onClick);
  return made;
}

function formatTime(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// Members: another member's name opens the direct conversation with them; the owner of a private room may remove.
function renderMembers() {
  const name = state.active;
  const room = state.rooms.get(name);
  ui.members.replaceChildren();
  ui.roomTitle.textContent = room ? `${label(name)}${room.kind === 'private' ? ' · private' : ''} · ${shownCount(room)}` : '';
  ui.input.placeholder = room ? `Message ${label(name)}` : 'Join a room';
  ui.inviteForm.hidden = !room || room.kind !== 'private';
  if (!room) return;
  const owner = room.kind === 'private' && room.owner === state.nick;
  [...room.members].sort().forEach((nick) => {
    const item = el('li', nick === state.nick ? 'me' : '');
    const badge = nick === room.owner ? 'owner' : room.moderators.has(nick) ? 'moderator' : null;
    if (nick === state.nick) {
      item.append(el('span', 'member', nick));
      if (badge) item.append(el('span', 'badge', badge));
    } else {
      const open = el('button', 'member', nick);
      open.type = 'button';
      open.title = 'Message ' + nick + ' directly';
      open.addEventListener('click', () => openDirect(nick));
      item.append(open);
      if (owner) {
        const remove = el('button', 'remove', 'remove');
        remove.type = 'button';
        remove.title = `Remove ${nick} from #${name}`;
        remove.addEventListener('click', () => removeMember(name, nick));
        item.append(remove);
      }
      if (badge) item.append(el('span', 'badge', badge));
      moderationButtons(room, name, nick).forEach((made) => item.append(made));
    }
    ui.members.appendChild(item);
  });
  if (room.membersNext) {
    const more = el('button', 'more-members', `${Math.max(0, shownCount(room) - room.members.size)} more…`);
    more.type = 'button';
    more.title = 'Show more members';
    more.addEventListener('click', () => moreMembers(name));
    const item = el('li', 'more');
    item.append(more);
    ui.members.appendChild(item);
  }
}

// The owner acts on anyone but itself, a moderator on members only (docs/PROTOCOL.md, "Roles").
function moderationButtons(room, name, nick) {
  const target = nick === room.owner ? 'owner' : room.moderators.has(nick) ? 'moderator' : 'member';
  if (!moderates(room) || target === 'owner' || (target === 'moderator' && room.role !== 'owner')) return [];
  const made = [
    button('kick', `Kick ${nick} out of #${name}`, () => change(ADDRESS.kick, { room: name, nick })),
    button('ban', `Ban ${nick} from #${name}`, () => change(ADDRESS.ban, { room: name, nick, seconds: 0 })),
    button('mute', `Mute ${nick} for ${MUTE_SECONDS / 60} minutes`,
      () => change(ADDRESS.mute, { room: name, nick, seconds: MUTE_SECONDS })),
  ];
  if (room.role === 'owner') {
    const role = target === 'moderator' ? 'member' : 'moderator';
    made.push(button(target === 'moderator' ? 'unmod' : 'mod', `Make ${nick} a ${role}`,
      () => change(ADDRESS.role, { room: name, nick, role })));
  }
  return made;
}

function renderTyping() {
  const room = state.rooms.get(state.active);
  const now = Date.now();
  const typists = room ? [...room.typing].filter(([, until]) => until > now).map(([nick]) => nick) : [];
  ui.typing.textContent = typists.length === 0 ? ''
    : typists.length === 1 ? `${typists[0]} is typing…` : `${typists.join(', ')} are typing…`;
}

function renderRoomList() {
  // Rooms we are only invited to are listed under Invitations.
  const listed = state.directory.filter((r) => r.access !== 'invited' || state.rooms.has(r.room));
  const names = new Set([...listed.map((r) => r.room), ...state.rooms.keys()]);
  const counts = new Map(state.directory.map((r) => [r.room, r.members]));
  ui.roomList.replaceChildren();
  [...names].sort((a, b) => label(a).localeCompare(label(b))).forEach((name) => {
    const room = state.rooms.get(name);
    const kind = kindOf(name);
    const item = el('li', [room ? 'joined' : '', name === state.active ? 'active' : '', kind].join(' ').trim());
    item.dataset.room = name;
    item.append(el('span', 'name', label(name)));
    const unread = name === state.active ? 0 : unreadOf(name);
    if (unread > 0) item.append(el('span', 'unread', String(unread)));
    item.append(el('span', 'count', String(room ? shownCount(room) : counts.get(name) ?? 0)));
    if (room) {
      const leave = el('button', 'leave', '×');
      leave.type = 'button';
      leave.title = 'Leave ' + label(name);
      leave.setAttribute('aria-label', 'Leave ' + label(name));
      leave.addEventListener('click', (event) => { event.stopPropagation(); leaveRoom(name); });
      item.append(leave);
    }
    item.addEventListener('click', () => (room ? setActive(name) : joinRoom(name, true)));
    ui.roomList.appendChild(item);
  });
}

function renderInvitations() {
  ui.invitations.replaceChildren();
  for (const [name, invitation] of state.invitations) {
    if (state.rooms.has(name)) continue;
    const item = el('li', invitation.kind);
    item.dataset.room = name;
    item.append(el('span', 'name', label(name)));
    if (invitation.by) item.append(el('span', 'by', 'from ' + invitation.by));
    const join = el('button', 'join', 'Join');
    join.type = 'button';
    join.addEventListener('click', () => joinRoom(name, true));
    item.append(join);
    ui.invitations.appendChild(item);
  }
  const none = ui.invitations.children.length === 0;
  ui.invitations.hidden = none;
  ui.invitationsTitle.hidden = none;
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
  const visibility = ui.joinPrivate.checked ? 'private' : null;
  ui.joinInput.value = '';
  ui.joinPrivate.checked = false;
  if (state.rooms.has(name)) setActive(name);
  else joinRoom(name, true, visibility);
});

ui.inviteForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const nick = ui.inviteInput.value.trim();
  if (!NAME.test(nick)) { showNotice('Nicks use 1 to 32 letters, digits, _ or -.'); return; }
  ui.inviteInput.value = '';
  invite(nick);
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

// A tab coming back into view shows its room's newest messages: they are read.
document.addEventListener('visibilitychange', () => { if (state.active) markRead(state.active); });

ui.loadOlder.addEventListener('click', loadOlder);
ui.menu.addEventListener('click', () => document.body.classList.toggle('menu-open'));
ui.membersToggle.addEventListener('click', () => document.body.classList.toggle('members-open'));

setInterval(() => { if (state.identified) refreshRooms(); }, ROOMS_REFRESH_MS);

ui.nickInput.value = state.nick;
if (state.nick && NAME.test(state.nick)) connect();
