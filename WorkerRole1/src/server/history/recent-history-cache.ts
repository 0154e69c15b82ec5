import type { AppendRequest, AppendResult, ChangeRequest, ChangeResult, HistoryQuery, HistoryStore, StoredMessage } from './history-store.js';

export interface RecentHistoryOptions {
  /** How many of a conversation's newest messages are kept: the largest page a query without cursors may ask for from the cache. */
  messages: number;
  /** Conversations kept at most; the least recently read go first. */
  conversations: number;
  /**
   * A kept page is read again from storage after this long even if nothing said it changed: a
   * bound on the harm of a change notice lost between instances.
   */
  maxAgeMs: number;
  /** Tells the other instances that a conversation changed; absent when this instance is alone. */
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
 * instance about a millisecond of CPU, more than everything else a join does).
 *
 * Correct across instances because every change is announced before it can be seen: `append`
 * drops the conversation here and publishes the change to the other instances before the message
 * is delivered live (before `onDelayed`, and before append resolves), and the adapter carries
 * that notice and the delivery in order. So an instance drops its page before its sockets get the
 * message, and a joiner who missed the message live reads it from storage. A read that started
 * before a change is returned to its caller but not kept.
 *
 * Edits and deletes (`change`) do the same: the page is dropped here and elsewhere before the
 * change resolves, so before it is broadcast.
 */
export class RecentHistoryCache implements HistoryStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

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
    const delayed = onDelayed && ((message: StoredMessage) => {
      this.changed(conversation);
      onDelayed(message);
    });
    try {
      return await this.store.append(request, delayed);
    } finally {
      this.changed(conversation);
    }
  }

  async change(request: ChangeRequest): Promise<ChangeResult> {
    try {
      return await this.store.change(request);
    } finally {
      this.changed(request.conversation);
    }
  }

  find(conversation: string, senderKey: string, clientId: string): Promise<StoredMessage | undefined> {
    return this.store.find(conversation, senderKey, clientId);
  }

  async list(conversation: string, query: HistoryQuery): Promise<StoredMessage[]> {
    if (query.before !== undefined || query.after !== undefined || query.limit > this.options.messages) {
      return this.store.list(conversation, query);
    }
    const newest = await this.newest(conversation);
    return newest.slice(Math.max(0, newest.length - query.limit));
  }

  async purgeOlderThan(ts: number): Promise<number> {
    const purged = await this.store.purgeOlderThan(ts);
    for (const conversation of [...this.entries.keys()]) this.changed(conversation);
    return purged;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** A conversation changed here: drops its page and tells the other instances. */
  changed(conversation: string): void {
    this.forget(conversation);
    this.options.publish?.(conversation);
  }

  /** Another instance said a conversation changed. */
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

  private evict(): void {
    for (const conversation of this.entries.keys()) {
      if (this.entries.size <= this.options.conversations) return;
      this.entries.delete(conversation);
    }
  }
}
