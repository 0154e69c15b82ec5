import type { ChatSocket } from './connection.js';
import type { DirectMessages } from './direct.js';
import type { Outbox } from './outbox.js';
import { roomKey } from './state/conversation.js';
import type { Store } from './state/store.js';
import type { TypingTracker } from './typing.js';

interface Deps {
  store: Store;
  outbox: Outbox;
  direct: DirectMessages;
  typing: TypingTracker;
}

/** What the server pushes: messages, DMs, presence, typing and the draining notice. */
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
