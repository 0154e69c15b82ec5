import type { ChatSocket } from './connection.js';
import type { DirectMessages } from './direct.js';
import type { Outbox } from './outbox.js';
import type { ChatMessage, DirectMessage, RoomRemovedEvent } from '../shared/protocol.js';
import { formatFull } from './format.js';
import { dmKey, roomKey } from './state/conversation.js';
import type { Store } from './state/store.js';
import type { TypingTracker } from './typing.js';

interface Deps {
  store: Store;
  outbox: Outbox;
  direct: DirectMessages;
  typing: TypingTracker;
}

/** What the server pushes: messages and their edits, DMs, presence, removals, typing and the draining notice. */
export function bindServerEvents(socket: ChatSocket, { store, outbox, direct, typing }: Deps): void {
  socket.on('message', (message) => {
    const conversation = store.conversations.get(roomKey(message.room));
    if (!conversation) return;
    const [added] = store.addMessages(conversation, [message], true);
    if (added && store.isMe(added.from)) outbox.noteEcho(conversation.key, added);
  });

  socket.on('dm', (message) => {
    const peer = store.isMe(message.from) ? message.to : message.from;
    const conversation = store.dm(peer);
    const [added] = store.addMessages(conversation, [message], true);
    if (added && store.isMe(added.from)) outbox.noteEcho(conversation.key, added);
    if (!conversation.loaded) void direct.load(conversation).catch(() => undefined);
  });

  // Edits and deletes: applied when newer than what we hold (editedTs), whatever order they come in.
  const reviseRoomMessage = (message: ChatMessage) => {
    const conversation = store.conversations.get(roomKey(message.room));
    if (conversation) store.revise(conversation, message);
  };
  const reviseDirectMessage = (message: DirectMessage) => {
    const conversation = store.conversations.get(dmKey(store.isMe(message.from) ? message.to : message.from));
    if (conversation) store.revise(conversation, message);
  };
  socket.on('message:updated', reviseRoomMessage);
  socket.on('message:deleted', reviseRoomMessage);
  socket.on('dm:updated', reviseDirectMessage);
  socket.on('dm:deleted', reviseDirectMessage);

  socket.on('room:removed', (event) => onRemoved(event, store, outbox));

  socket.on('user:joined', ({ room, nickname, count }) => {
    const conversation = store.conversations.get(roomKey(room));
    if (!conversation) return;
    if (conversation.members.joined(nickname, count)) store.notice(conversation, `${nickname} joined`);
    store.changed();
  });

  socket.on('user:left', ({ room, nickname, count }) => {
    const conversation = store.conversations.get(roomKey(room));
    if (!conversation) return;
    conversation.typing.delete(nickname);
    if (conversation.members.left(nickname, count)) store.notice(conversation, `${nickname} left`);
    store.changed();
  });

  // A large room: no notice per person (hundreds a second would bury the conversation).
  socket.on('room:presence', (event) => {
    const conversation = store.conversations.get(roomKey(event.room));
    if (!conversation) return;
    for (const name of event.left) conversation.typing.delete(name);
    conversation.members.presence(event);
    store.changed();
  });

  socket.on('typing', ({ room, nickname, typing: isTyping }) => typing.update(room, nickname, isTyping));

  socket.on('server:draining', () => {
    store.draining = true;
    store.changed();
  });
}

/**
 * A moderator removed someone from a room. When it is us, the room leaves the sidebar (with what
 * we had not sent there yet) and the banner says until when; the server refuses to let us back in
 * before then. Otherwise the room reads who was removed, by whom.
 */
function onRemoved({ room, nickname, by, until }: RoomRemovedEvent, store: Store, outbox: Outbox): void {
  const key = roomKey(room);
  if (store.isMe(nickname)) {
    outbox.dropConversation(key);
    store.remove(key);
    store.warn(`${by} (a moderator) removed you from #${room}. You can join it again after ${formatFull(until)}.`);
    return;
  }
  const conversation = store.conversations.get(key);
  if (conversation) store.notice(conversation, `${nickname} was removed from the room by ${by} until ${formatFull(until)}`);
}
