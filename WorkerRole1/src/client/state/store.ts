import { load, save, isString, isStringArray } from '../storage.js';
import { sameNickname } from '../validation.js';
import {
  addNotice,
  createConversation,
  dmKey,
  mergeMessages,
  reviseMessage,
  roomKey,
  type Conversation,
  type LogMessage,
} from './conversation.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Which screen is up: waiting for the first connection, picking a nickname, or chatting. */
export type View = 'connecting' | 'login' | 'chat';

type Listener = () => void;

/**
 * The whole client state in one place. Every mutation calls changed(); listeners run once per
 * microtask however many changes happened, so rendering is batched.
 */
export class Store {
  me: string | null = null;
  view: View = 'connecting';
  status: ConnectionStatus = 'connecting';
  draining = false;
  /** The server said so at session:start: may delete anyone's message and remove people from rooms. */
  moderator = false;
  /** Something to tell the person until they move on (a removal, a refused edit). */
  alert: string | null = null;
  /** Set while restoring a session after a refresh or reconnect. */
  restoring = false;
  /** AUTH_MODE=oidc: the server refused the connection until the person signs in. */
  signInRequired = false;
  readonly conversations = new Map<string, Conversation>();
  activeKey: string = roomKey('lobby');
  private readonly listeners = new Set<Listener>();
  private scheduled = false;
  private noticeSequence = 0;

  constructor() {
    const active = load('active', isString);
    if (active) this.activeKey = active;
    for (const room of load('rooms', isStringArray) ?? []) this.room(room);
    for (const peer of load('dms', isStringArray) ?? []) this.dm(peer);
  }

  subscribe(listener: Listener): void {
    this.listeners.add(listener);
  }

  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** The room's conversation, created (and remembered across refreshes) when new. */
  room(name: string): Conversation {
    return this.getOrCreate(roomKey(name), () => createConversation('room', name));
  }

  /** The DM conversation with a person, created when new. */
  dm(peer: string): Conversation {
    const conversation = this.getOrCreate(dmKey(peer), () => createConversation('dm', peer));
    if (conversation.name !== peer && sameNickname(conversation.name, peer)) conversation.name = peer;
    return conversation;
  }

  get active(): Conversation | undefined {
    return this.conversations.get(this.activeKey);
  }

  rooms(): Conversation[] {
    return [...this.conversations.values()].filter((conversation) => conversation.kind === 'room');
  }

  dms(): Conversation[] {
    return [...this.conversations.values()].filter((conversation) => conversation.kind === 'dm');
  }

  remove(key: string): void {
    this.conversations.delete(key);
    if (this.activeKey === key) this.activeKey = roomKey('lobby');
    this.persist();
    this.changed();
  }

  open(key: string): void {
    const conversation = this.conversations.get(key);
    if (!conversation) return;
    this.activeKey = key;
    conversation.unread = 0;
    this.alert = null;
    save('active', key);
    this.changed();
  }

  /**
   * Merges messages into a conversation. Messages others sent count as unread when they are new
   * and the conversation is not on screen (countUnread is off for history loaded on join).
   */
  addMessages(conversation: Conversation, messages: readonly LogMessage[], countUnread: boolean): LogMessage[] {
    const added = mergeMessages(conversation, messages);
    if (added.length === 0) return added;
    for (const message of added) conversation.typing.delete(message.from);
    const pageVisible = typeof document === 'undefined' || document.visibilityState === 'visible';
    if (countUnread && (conversation.key !== this.activeKey || !pageVisible)) {
      conversation.unread += added.filter((message) => !this.isMe(message.from)).length;
    }
    this.changed();
    return added;
  }

  /** An edited or deleted version of a message, taken when newer than the one held. */
  revise(conversation: Conversation, message: LogMessage): void {
    if (reviseMessage(conversation, message)) this.changed();
  }

  warn(text: string): void {
    this.alert = text;
    this.changed();
  }

  notice(conversation: Conversation, text: string): void {
    addNotice(conversation, text, ++this.noticeSequence);
    this.changed();
  }

  isMe(nickname: string): boolean {
    return this.me !== null && sameNickname(this.me, nickname);
  }

  totalUnread(): number {
    let total = 0;
    for (const conversation of this.conversations.values()) total += conversation.unread;
    return total;
  }

  persist(): void {
    save('rooms', this.rooms().map((conversation) => conversation.name));
    save('dms', this.dms().map((conversation) => conversation.name));
    save('active', this.activeKey);
  }

  private getOrCreate(key: string, create: () => Conversation): Conversation {
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = create();
      this.conversations.set(key, conversation);
      this.persist();
      this.changed();
    }
    return conversation;
  }
}
