/**
 * Where messages are kept. A conversation is a room (`room:<name>`) or a private conversation
 * (`dm:<a>|<b>`); the store does not care which. Every method is async so that a durable
 * backend can replace the in-memory one without changing anything above it.
 */

export interface StoredMessage {
  id: string;
  conversation: string;
  from: string;
  /** Set on private messages: the recipient's display nickname. */
  to?: string;
  text: string;
  ts: number;
  /** Identifies the message on the sender's side; with the sender it makes appends idempotent. */
  clientId: string;
  /** Who may edit or delete it as its author (sessions/author.ts); absent on messages stored before authorship. */
  author?: string;
  /** When it last changed; strictly increasing per message, so it also orders its changes. */
  editedTs?: number;
  /** A tombstone: deleted, its text gone for good. */
  deleted?: true;
}

export interface AppendRequest {
  message: StoredMessage;
  senderKey: string;
}

export interface AppendResult {
  message: StoredMessage;
  /** False when the same sender already stored this clientId: `message` is the first copy. */
  created: boolean;
}

export interface HistoryQuery {
  /** Only messages older than this id. */
  before?: string;
  /** Only messages newer than this id; the oldest of them come first. */
  after?: string;
  limit: number;
}

export type MessageChange = { kind: 'edit'; text: string; at: number } | { kind: 'delete'; at: number };

export interface ChangeRequest {
  conversation: string;
  id: string;
  change: MessageChange;
  /** Asked of the message as stored, inside the change: whoever asks may make this change to it. */
  allowed(message: StoredMessage): boolean;
}

export type ChangeResult =
  | { outcome: 'missing' }
  /** `message` as stored: `changed` after this change, `unchanged` when it changed nothing (a repeat). */
  | { outcome: 'changed' | 'unchanged' | 'forbidden' | 'deleted'; message: StoredMessage };

export interface HistoryStore {
  init(): Promise<void>;
  /**
   * Resolves once the message is stored. When storage is slow or unreachable, `onDelayed` is
   * called with the message first, so live delivery need not wait for the write.
   */
  append(request: AppendRequest, onDelayed?: (message: StoredMessage) => void): Promise<AppendResult>;
  /** The stored message a sender sent with this clientId, if it is still kept. */
  find(conversation: string, senderKey: string, clientId: string): Promise<StoredMessage | undefined>;
  /** Oldest first. Without `after`, the newest `limit` messages (before `before` if given). */
  list(conversation: string, query: HistoryQuery): Promise<StoredMessage[]>;
  /**
   * Edits or deletes one message, all its copies together, after `allowed` said yes to the
   * message as stored. Concurrent changes serialise: message-change.ts gives the rules.
   */
  change(request: ChangeRequest): Promise<ChangeResult>;
  /** Deletes every message (and its dedupe record) older than `ts`; returns how many messages went. */
  purgeOlderThan(ts: number): Promise<number>;
  close(): Promise<void>;
}

/** Storage cannot take the message now; the same append (same clientId) can be retried later. */
export class HistoryUnavailableError extends Error {
  override name = 'HistoryUnavailableError';

  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
