import type { ChatMessage, DirectMessage, ServerToClientEvents } from '../../shared/protocol.js';
import { roomChannel } from '../channels.js';
import type { ChatContext } from '../context.js';
import type { AppendResult, StoredMessage } from '../history/history-store.js';
import { recordDelivered } from '../telemetry/instruments.js';

/** Stored messages as the wire shows them. */
export function toChatMessage(message: StoredMessage, room: string): ChatMessage {
  return { id: message.id, room, from: message.from, text: message.text, ts: message.ts, clientId: message.clientId, ...changeMarks(message) };
}

export function toDirectMessage(message: StoredMessage): DirectMessage {
  return { id: message.id, from: message.from, to: message.to ?? '', text: message.text, ts: message.ts, clientId: message.clientId, ...changeMarks(message) };
}

/** The author stays on the server: it names a person or a session, which is nobody else's business. */
const changeMarks = ({ editedTs, deleted }: StoredMessage) => ({
  ...(editedTs === undefined ? {} : { editedTs }),
  ...(deleted ? { deleted } : {}),
});

/**
 * The one way a message is sent: the server gives it an id and a time, stores it, and delivers it
 * live: after the store, or before it if storage is slow. A resend (same sender and clientId)
 * resolves to the first copy and delivers that copy again, under its own id: an instance that
 * crashed between storing and delivering left the room without it, and a client that already has
 * it drops it by id. Resolves once stored and once the delivery has left this instance (see
 * published-broadcast.ts): the ack that follows must never promise what a crash can still lose.
 */
export async function storeAndDeliver(
  ctx: ChatContext,
  draft: Omit<StoredMessage, 'id' | 'ts'>,
  senderKey: string,
  deliver: (message: StoredMessage) => Promise<void>,
): Promise<AppendResult> {
  let delivery: Promise<void> | undefined;
  const deliverOnce = (message: StoredMessage) => {
    if (delivery) return;
    delivery = deliver(message);
    // Delivered early (storage slow), it may fail while the store still waits, or the store may fail first.
    delivery.catch(() => undefined);
    recordDelivered(message.to === undefined ? 'room' : 'direct');
  };
  const ts = ctx.now();
  const result = await ctx.history.append({ message: { ...draft, id: ctx.newMessageId(ts), ts }, senderKey }, deliverOnce);
  deliverOnce(result.message);
  await delivery;
  return result;
}

/** The room broadcasts that show a change of the room's stored messages (a new one, an edit, a delete). */
const ROOM_MESSAGE_CHANGES: ReadonlySet<unknown> = new Set<keyof ServerToClientEvents>(['message', 'message:updated', 'message:deleted']);

/** The room conversation whose stored messages a broadcast shows changed, if it shows one. */
export function roomConversationChangedBy(event: unknown, payload: unknown): string | undefined {
  if (!ROOM_MESSAGE_CHANGES.has(event) || typeof payload !== 'object' || payload === null) return undefined;
  const { room } = payload as { room?: unknown };
  return typeof room === 'string' ? roomChannel(room) : undefined;
}
