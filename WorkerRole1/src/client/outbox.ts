import type { ChatMessage, DirectMessage } from '../shared/protocol.js';
import { NoAnswerError, sleep, type Connection } from './connection.js';
import { toLog } from './history-paging.js';
import { retryDelay } from './retry-delay.js';
import type { Conversation, LogMessage } from './state/conversation.js';
import type { Store } from './state/store.js';
import { isRecord, load, save } from './storage.js';

export type OutboxState = 'queued' | 'sending' | 'waiting' | 'failed';

export interface OutboxItem {
  clientId: string;
  /** The conversation key (#room or @nickname). */
  key: string;
  kind: 'room' | 'dm';
  /** The room name or the recipient's nickname. */
  target: string;
  text: string;
  createdAt: number;
  state: OutboxState;
  error?: string;
  /** The id of our own message the server already echoed for this item (its ack is still due). */
  echoId?: string;
  /** Set once NOT_IN_ROOM made us rejoin the room, so a second refusal is final. */
  rejoined?: boolean;
}

const isItem = (value: unknown): value is OutboxItem =>
  isRecord(value) && typeof value.clientId === 'string' && typeof value.key === 'string' && typeof value.text === 'string';
const isItemList = (value: unknown): value is OutboxItem[] => Array.isArray(value) && value.every(isItem);

/**
 * Messages the user sent that the server has not acknowledged yet. They are shown as pending,
 * survive a refresh, and go out in order, with their clientId, whenever a session is up; the
 * server answers a repeated clientId with the first message, so retrying is safe. The next one
 * goes out once the server has accepted the one before: its ack, or its live echo, which comes
 * first while storage is slow (the ack means "stored"), so a slow store does not hold back what
 * was typed after it.
 */
export class Outbox {
  private items: OutboxItem[] = (load('outbox', isItemList) ?? []).map((item) =>
    item.state === 'failed' ? item : { ...item, state: 'queued' as const, echoId: undefined },
  );
  private ready = false;

  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
    /** Joins a room again; true when that worked. */
    private readonly rejoin: (room: string) => Promise<boolean>,
  ) {}

  enqueue(conversation: Conversation, text: string): void {
    this.items.push({
      clientId: crypto.randomUUID(),
      key: conversation.key,
      kind: conversation.kind,
      target: conversation.name,
      text,
      createdAt: Date.now(),
      state: 'queued',
    });
    this.changed();
    this.run();
  }

  /** True once the session is restored and rooms are rejoined; false from a disconnect on. */
  setReady(ready: boolean): void {
    this.ready = ready;
    if (!ready) {
      for (const item of this.items) if (item.state === 'sending' || item.state === 'waiting') item.state = 'queued';
      this.changed();
    }
    this.run();
  }

  forConversation(key: string): readonly OutboxItem[] {
    return this.items.filter((item) => item.key === key);
  }

  /** How many messages still wait for the server (failed ones excluded). */
  pendingCount(): number {
    return this.items.filter((item) => item.state !== 'failed').length;
  }

  retry(clientId: string): void {
    const item = this.items.find((candidate) => candidate.clientId === clientId);
    if (!item || item.state !== 'failed') return;
    item.state = 'queued';
    delete item.error;
    this.changed();
    this.run();
  }

  discard(clientId: string): void {
    this.items = this.items.filter((item) => item.clientId !== clientId);
    this.changed();
  }

  dropConversation(key: string): void {
    this.items = this.items.filter((item) => item.key !== key);
    this.changed();
  }

  /**
   * Our own message came back as a live event before its ack (the ack waits for storage): mark
   * the pending item with the same clientId so it does not show twice, and let the next one go.
   * The ack settles it.
   */
  noteEcho(key: string, message: LogMessage): void {
    const item = this.items.find((candidate) => candidate.key === key && candidate.clientId === message.clientId);
    if (item && item.echoId === undefined) {
      item.echoId = message.id;
      this.store.changed();
      this.run();
    }
  }

  private run(): void {
    while (this.ready && this.connection.connected) {
      const unaccepted = this.items.some(
        (candidate) => (candidate.state === 'sending' || candidate.state === 'waiting') && candidate.echoId === undefined,
      );
      const item = this.items.find((candidate) => candidate.state === 'queued');
      if (unaccepted || !item) return;
      // send() marks the item as sending before its first await, so the next pass skips it.
      void this.send(item)
        .catch((error: unknown) => {
          item.state = 'failed';
          item.error = error instanceof Error ? error.message : String(error);
          this.changed();
        })
        .finally(() => this.run());
    }
  }

  private async send(item: OutboxItem): Promise<void> {
    const conversation = this.store.conversations.get(item.key);
    if (!conversation) return this.discard(item.clientId);
    item.state = 'sending';
    this.changed();
    let ack;
    try {
      ack =
        item.kind === 'room'
          ? await this.connection.request('message:send', { room: item.target, text: item.text, clientId: item.clientId })
          : await this.connection.request('dm:send', { to: item.target, text: item.text, clientId: item.clientId });
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      item.state = 'queued';
      this.changed();
      // Lost ack while connected: the same clientId makes the retry safe. Otherwise wait for ready.
      if (this.connection.connected) await sleep(retryDelay(undefined, 1000));
      return;
    }
    if (ack.ok) return this.delivered(item, conversation, ack.message);
    switch (ack.error.code) {
      case 'RATE_LIMITED':
      case 'STORAGE_UNAVAILABLE':
        item.state = 'waiting';
        this.changed();
        await sleep(retryDelay(ack.error.retryAfterMs, 1000));
        if (item.state === 'waiting') item.state = 'queued';
        break;
      case 'NOT_IN_ROOM':
        if (item.kind === 'room' && !item.rejoined) {
          item.rejoined = true;
          item.state = (await this.rejoin(item.target).catch(() => false)) ? 'queued' : 'failed';
          if (item.state === 'failed') item.error = ack.error.message;
          break;
        }
        item.state = 'failed';
        item.error = ack.error.message;
        break;
      case 'SERVER_DRAINING':
      case 'NO_SESSION':
      case 'INTERNAL_ERROR':
        item.state = 'queued';
        await sleep(retryDelay(undefined, 2000));
        break;
      default:
        item.state = 'failed';
        item.error = ack.error.message;
    }
    this.changed();
  }

  private delivered(item: OutboxItem, conversation: Conversation, message: ChatMessage | DirectMessage): void {
    this.items = this.items.filter((candidate) => candidate.clientId !== item.clientId);
    this.store.addMessages(conversation, [toLog(message)], false);
    this.changed();
  }

  private changed(): void {
    save(
      'outbox',
      this.items.map(({ echoId: _echo, ...item }) => item),
    );
    this.store.changed();
  }
}
