import { LIMITS, type ErrorBody } from '../shared/protocol.js';
import { type Connection, NoAnswerError } from './connection.js';
import type { Conversation, LogMessage } from './state/conversation.js';
import type { Store } from './state/store.js';

const MINUTE_MS = 60_000;

/**
 * Editing and deleting messages, and a moderator's removing someone from a room. The server's
 * answer is the message as it now stands; it is applied like the broadcast that also carries it,
 * so whichever arrives first wins and the other changes nothing.
 */
export class MessageActions {
  constructor(
    private readonly store: Store,
    private readonly connection: Connection,
  ) {}

  async edit(conversation: Conversation, id: string, text: string): Promise<void> {
    const ack = await this.attempt<LogMessage>(() =>
      conversation.kind === 'room'
        ? this.connection.call('message:edit', { room: conversation.name, id, text })
        : this.connection.call('dm:edit', { with: conversation.name, id, text }),
    );
    if (ack) this.store.revise(conversation, ack);
  }

  async delete(conversation: Conversation, id: string): Promise<void> {
    const ack = await this.attempt<LogMessage>(() =>
      conversation.kind === 'room'
        ? this.connection.call('message:delete', { room: conversation.name, id })
        : this.connection.call('dm:delete', { with: conversation.name, id }),
    );
    if (ack) this.store.revise(conversation, ack);
  }

  async remove(room: string, nickname: string, minutes: number): Promise<void> {
    const durationMs = Math.min(LIMITS.removeMaxMs, Math.max(LIMITS.removeMinMs, Math.round(minutes * MINUTE_MS)));
    await this.attempt(async () => {
      const ack = await this.connection.call('room:remove', { room, nickname, durationMs });
      return ack.ok ? { ok: true, message: undefined } : ack;
    });
  }

  /** Runs a request; a refusal or no answer becomes the alert the person reads. */
  private async attempt<M>(send: () => Promise<{ ok: true; message: M } | { ok: false; error: ErrorBody }>): Promise<M | undefined> {
    try {
      const ack = await send();
      if (ack.ok) return ack.message;
      this.store.warn(ack.error.message);
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      this.store.warn('The server did not answer. Please try again.');
    }
    return undefined;
  }
}
