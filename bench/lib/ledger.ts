import type { ChatMessage } from '../../WorkerRole1/src/shared/protocol.js';

/**
 * What every receiving client has shown, to check after a storm that no acknowledged message is
 * lost or shown twice. Clients treat two messages as one when their ids match or their `from`
 * and `clientId` do (docs/protocol.md), so a message is keyed by from + clientId.
 */
export class Ledger {
  private readonly keys = new Map<string, number>();
  private readonly idsByKey: Array<Set<string>> = [];
  private readonly acked = new Set<number>();
  readonly receivers: Receiver[] = [];

  key(message: Pick<ChatMessage, 'from' | 'clientId' | 'id'>): number {
    const name = `${message.from}\u0000${message.clientId}`;
    let key = this.keys.get(name);
    if (key === undefined) {
      key = this.idsByKey.length;
      this.keys.set(name, key);
      this.idsByKey.push(new Set());
    }
    this.idsByKey[key]!.add(message.id);
    return key;
  }

  recordAck(message: ChatMessage): void {
    this.acked.add(this.key(message));
  }

  get ackedCount(): number {
    return this.acked.size;
  }

  receiver(): Receiver {
    const receiver = new Receiver(this);
    this.receivers.push(receiver);
    return receiver;
  }

  /** Over `receivers` (all by default): acknowledged messages each of them has not shown, and what the dedupe dropped. */
  verify(receivers: readonly Receiver[] = this.receivers) {
    let lost = 0;
    let receiversMissing = 0;
    let repeatsById = 0;
    let copiesUnderAnotherId = 0;
    for (const receiver of receivers) {
      let missing = 0;
      for (const key of this.acked) if (!receiver.shown.has(key)) missing += 1;
      lost += missing;
      if (missing > 0) receiversMissing += 1;
      repeatsById += receiver.repeatsById;
      copiesUnderAnotherId += receiver.copiesUnderAnotherId;
    }
    const storedTwice = this.idsByKey.filter((ids) => ids.size > 1).length;
    return { lost, receiversMissing, repeatsById, copiesUnderAnotherId, storedTwice };
  }
}

export class Receiver {
  /** Message key -> the id it was first shown under. */
  readonly shown = new Map<number, string>();
  /** The same id again (live and catch-up overlapping): dropped by id. */
  repeatsById = 0;
  /** The same from + clientId under a second id: dropped by from + clientId; an id-only client would show it twice. */
  copiesUnderAnotherId = 0;
  lastSeenId: string | undefined;

  constructor(private readonly ledger: Ledger) {}

  readonly see = (message: ChatMessage): void => {
    const key = this.ledger.key(message);
    const first = this.shown.get(key);
    if (first === undefined) this.shown.set(key, message.id);
    else if (first === message.id) this.repeatsById += 1;
    else this.copiesUnderAnotherId += 1;
    if (this.lastSeenId === undefined || message.id > this.lastSeenId) this.lastSeenId = message.id;
  };
}
