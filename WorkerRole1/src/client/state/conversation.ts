import { RoomMembers } from './room-members.js';

/**
 * A conversation is a room or a direct-message thread. Its messages are kept sorted by id
 * (ULIDs sort by time) and deduplicated, whichever way they arrive: live event, ack, join
 * history, catch-up after a reconnect or an older page. A message is the same message when its
 * id is, or when its sender and clientId are: an instance that crashed after delivering a
 * message but before storing it makes the sender's resend arrive again under a new id.
 */

export type ConversationKind = 'room' | 'dm';

export interface LogMessage {
  id: string;
  from: string;
  text: string;
  ts: number;
  clientId?: string;
  /** When it last changed; of two versions of a message, the greater editedTs is the newer. */
  editedTs?: number;
  /** Deleted: shown as a tombstone, without text. */
  deleted?: boolean;
}

/** A line such as "alice joined", placed after the message that was last when it happened. */
export interface Notice {
  key: string;
  afterId: string;
  text: string;
  ts: number;
}

export interface Conversation {
  key: string;
  kind: ConversationKind;
  /** The room name, or the other person's nickname as the server spells it. */
  name: string;
  messages: LogMessage[];
  ids: Set<string>;
  /** Sender and clientId of every message held. */
  refs: Set<string>;
  notices: Notice[];
  /** Rooms only: who is in the room. */
  members: RoomMembers;
  /** Rooms only: who is typing, with the time their indicator expires. */
  typing: Map<string, number>;
  unread: number;
  /** True once the first page of history arrived. */
  loaded: boolean;
  /** True while older history may exist on the server. */
  hasOlder: boolean;
  loadingOlder: boolean;
}

export const roomKey = (room: string): string => `#${room}`;
export const dmKey = (nickname: string): string => `@${nickname.toLowerCase()}`;

export function createConversation(kind: ConversationKind, name: string): Conversation {
  return {
    key: kind === 'room' ? roomKey(name) : dmKey(name),
    kind,
    name,
    messages: [],
    ids: new Set(),
    refs: new Set(),
    notices: [],
    members: new RoomMembers(),
    typing: new Map(),
    unread: 0,
    loaded: false,
    hasOlder: false,
    loadingOlder: false,
  };
}

/** Adds the messages not seen yet and returns them (in id order). */
export function mergeMessages(conversation: Conversation, incoming: readonly LogMessage[]): LogMessage[] {
  const added: LogMessage[] = [];
  for (const message of incoming) {
    const ref = message.clientId ? `${message.from.toLowerCase()}\n${message.clientId}` : undefined;
    if (conversation.ids.has(message.id)) {
      reviseMessage(conversation, message);
      continue;
    }
    if (ref !== undefined && conversation.refs.has(ref)) continue;
    conversation.ids.add(message.id);
    if (ref !== undefined) conversation.refs.add(ref);
    added.push(copyMessage(message));
  }
  if (added.length === 0) return added;
  const last = conversation.messages.at(-1);
  conversation.messages.push(...added);
  const inOrder = added.every((message, index) =>
    index === 0 ? last === undefined || last.id < message.id : (added[index - 1]?.id ?? '') < message.id,
  );
  if (!inOrder) conversation.messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  added.sort((a, b) => (a.id < b.id ? -1 : 1));
  return added;
}

/**
 * Takes an edited or deleted version of a message we hold when it is newer than ours (changes
 * can arrive out of order: a live event, then an older history page). Returns whether it did.
 */
export function reviseMessage(conversation: Conversation, incoming: LogMessage): boolean {
  const index = conversation.messages.findIndex((message) => message.id === incoming.id);
  const held = conversation.messages[index];
  if (!held || held.deleted || (incoming.editedTs ?? 0) <= (held.editedTs ?? 0)) return false;
  conversation.messages[index] = copyMessage(incoming);
  return true;
}

/** Only the fields the log keeps (a wire message carries more: room, to). */
function copyMessage({ id, from, text, ts, clientId, editedTs, deleted }: LogMessage): LogMessage {
  return {
    id,
    from,
    text: deleted ? '' : text,
    ts,
    ...(clientId ? { clientId } : {}),
    ...(editedTs === undefined ? {} : { editedTs }),
    ...(deleted ? { deleted: true } : {}),
  };
}

/** The newest message id we hold: what a catch-up asks for messages `after`. */
export function lastSeenId(conversation: Conversation): string | undefined {
  return conversation.messages.at(-1)?.id;
}

export function oldestId(conversation: Conversation): string | undefined {
  return conversation.messages[0]?.id;
}

export function addNotice(conversation: Conversation, text: string, sequence: number): void {
  const afterId = lastSeenId(conversation) ?? '';
  conversation.notices.push({ key: `notice-${String(sequence).padStart(8, '0')}`, afterId, text, ts: Date.now() });
  if (conversation.notices.length > 50) conversation.notices.shift();
}
