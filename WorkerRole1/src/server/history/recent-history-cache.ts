import type { AppendRequest, AppendResult, ChangeRequest, ChangeResult, HistoryQuery, HistoryStore, StoredMessage } from './history-store.js';

export interface RecentHistoryOptions {
  /**
   * How many of a conversation's newest messages are kept: the largest page a query without
   * cursors may ask for from the cache, and how far back a catch-up (`after`) may start.
   */
  messages: number;
  /** Conversations kept at most; the least recently read go first. */
  conversations: number;
  /**
   * A kept page is read again from storage after this long even if nothing said it changed: a
   * bound on the harm of a change notice lost between instances.
   */
  maxAgeMs: number;
  /**
   * The conversations whose pages may be kept: those whose every change reaches each instance as
   * a delivery it sees (a room's broadcast), which the caller turns into `forget`. Others are read
   * from storage every time. All when absent.
   */
  keeps?: (conversation: string) => boolean;
  /**
   * Tells the other instances that a conversation changed, for the one change their deliveries
   * do not show in time: a message delivered before it was stored. Absent when this instance is alone.
   */
  publish?: (conversation: string) => void;
  now?: () => number;
}

interface Entry {
  /** Bumped by every change: a read that started under another generation is not kept. */
  generation: number;
  page?: { messages: StoredMessage[]; at: number };
  /** A read from storage in flight for this generation, which joiners in the meantime share. */
  reading?: Promise<StoredMessage[]>;
}

/**
 * The newest messages of each conversation recently read, in front of a history store: a join
 * storm into one room reads storage once, not once per joiner (a Table Storage query costs an
 * instance about a millisecond of CPU, more than everything else a join does), and so does a
 * reconnect storm's catch-ups when what they missed is within the page.
 *
 * Correct across instances without a message of its own: a change is stored before it is
 * delivered, and every instance sees the delivery (the adapter carries a room's broadcast to
 * each); the caller calls `forget` as the broadcast arrives, before its sockets get it. So a
 * joiner there either is in the room before the delivery and gets the change live, or joins after
 * it and reads storage, which has it. A read that started before a change is returned to its
 * caller but not kept. Here, `append` and `change` drop the page themselves.
 *
 * The exception is a message delivered before it was stored (storage slow, `onDelayed`): another
 * instance may read storage between the delivery and the write and keep a page without it, so
 * once it is stored the others are told (`publish`). Storage is slow then anyway.
 */
export class RecentHistoryCache implements HistoryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  /** False once the caller can no longer tell this cache of every change (`keepNone`). */
  private keeping = true;

  constructor(
    private readonly store: HistoryStore,
    private readonly options: RecentHistoryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  init(): Promise<void> {
    return this.store.init();
  }

  async append(request: AppendRequest, onDelayed?: (message: StoredMessage) => void): Promise<AppendResult> {
    const conversation = request.message.conversation;
    let deliveredEarly = false;
    const delayed = onDelayed && ((message: StoredMessage) => {
      deliveredEarly = true;
      this.forget(conversation);
      onDelayed(message);
    });
    try {
      return await this.store.append(request, delayed);
    } finally {
      this.forget(conversation);
      if (deliveredEarly) this.options.publish?.(conversation);
    }
  }

  async change(request: ChangeRequest): Promise<ChangeResult> {
    try {
      return await this.store.change(request);
    } finally {
      this.forget(request.conversation);
    }
  }

  find(conversation: string, senderKey: string, clientId: string): Promise<StoredMessage | undefined> {
    return this.store.find(conversation, senderKey, clientId);
  }

  async list(conversation: string, query: HistoryQuery): Promise<StoredMessage[]> {
    if (query.before !== undefined || !this.keeping || this.options.keeps?.(conversation) === false) {
      return this.store.list(conversation, query);
    }
    if (query.after !== undefined) {
      return (await this.newestAfter(conversation, query.after, query.limit)) ?? this.store.list(conversation, query);
    }
    if (query.limit > this.options.messages) return this.store.list(conversation, query);
    const newest = await this.newest(conversation);
    return newest.slice(Math.max(0, newest.length - query.limit));
  }

  async purgeOlderThan(ts: number): Promise<number> {
    const purged = await this.store.purgeOlderThan(ts);
    for (const conversation of [...this.entries.keys()]) this.forget(conversation);
    return purged;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** From now on every read goes to storage: the changes made elsewhere can no longer be heard. */
  keepNone(): void {
    this.keeping = false;
    this.entries.clear();
  }

  /** A conversation changed: its page is stale, and so is any read of it now in flight. */
  forget(conversation: string): void {
    const entry = this.entries.get(conversation);
    if (!entry) return;
    entry.generation += 1;
    delete entry.page;
    delete entry.reading;
  }

  private async newest(conversation: string): Promise<StoredMessage[]> {
    const entry = this.entries.get(conversation) ?? { generation: 0 };
    // Re-inserted on every read: the Map's order is then least recently read first.
    this.entries.delete(conversation);
    this.entries.set(conversation, entry);
    this.evict();
    if (entry.page && this.now() - entry.page.at < this.options.maxAgeMs) return entry.page.messages;
    if (entry.reading) return entry.reading;
    const generation = entry.generation;
    const at = this.now();
    const reading = this.store.list(conversation, { limit: this.options.messages });
    entry.reading = reading;
    try {
      const messages = await reading;
      if (entry.generation === generation) entry.page = { messages, at };
      return messages;
    } finally {
      if (entry.reading === reading) delete entry.reading;
    }
  }

  /**
   * A catch-up (`after` an id) from the newest page, when the page holds everything after that
   * id: it holds every message from its oldest one on, or the whole conversation when it is not
   * full. A reconnect storm's catch-ups into one room then read storage once, not once each
   * (each a Table Storage query). Undefined when the gap reaches back past the page.
   */
  private async newestAfter(conversation: string, after: string, limit: number): Promise<StoredMessage[] | undefined> {
    const newest = await this.newest(conversation);
    if (newest.length >= this.options.messages && newest[0]!.id > after) return undefined;
    const start = newest.findIndex(({ id }) => id > after);
    return start === -1 ? [] : newest.slice(start, start + limit);
  }

  private evict(): void {
    for (const conversation of this.entries.keys()) {
      if (this.entries.size <= this.options.conversations) return;
      this.entries.delete(conversation);
    }
  }
}
