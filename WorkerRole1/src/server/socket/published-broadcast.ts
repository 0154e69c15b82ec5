import type { ServerToClientEvents } from '../../shared/protocol.js';
import { errors } from '../errors.js';
import { BroadcastUnpublishedError } from '../scale-out/publish-deadline.js';
import type { ChatIO } from './types.js';

/**
 * `io.to(rooms).emit(event, payload)`, resolved once the adapter has handed the broadcast to the
 * other instances. Socket.IO's emit() drops the promise of the adapter's broadcast(): the Redis
 * streams and cluster adapters publish asynchronously (XADD, an IPC message), so an ack sent right
 * after emit() can reach the sender before the broadcast has left the process. If the instance
 * dies in that gap, the sender holds an ack and will not resend, and nobody on another instance
 * ever sees the message live. Awaiting this before acking closes the gap. The in-memory adapter
 * delivers synchronously and returns nothing, which awaits as at once. A broadcast Redis did not
 * take in time (scale-out/redis-streams-broadcasts.ts) becomes STORAGE_UNAVAILABLE: resend.
 */
/** socket.io-parser's PacketType.EVENT: a transitive dependency, not worth declaring for one number. */
const EVENT_PACKET = 2;

export async function publishedBroadcast<Event extends keyof ServerToClientEvents>(
  io: ChatIO,
  rooms: string[],
  event: Event,
  payload: Parameters<ServerToClientEvents[Event]>[0],
): Promise<void> {
  const packet = { type: EVENT_PACKET, data: [event, payload] };
  // Adapter.broadcast() is typed void, but the cluster adapters' implementation is async.
  const published = io.of('/').adapter.broadcast(packet, { rooms: new Set(rooms), except: new Set() }) as unknown as Promise<void> | undefined;
  try {
    await published;
  } catch (error) {
    throw error instanceof BroadcastUnpublishedError ? errors.broadcastUnpublished() : error;
  }
}
