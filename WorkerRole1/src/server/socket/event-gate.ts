import type { Ack } from '../../shared/protocol.js';
import type { ChatContext } from '../context.js';
import { type ChatError, errors } from '../errors.js';
import { recordFloodDisconnect, recordGateRefusal } from '../telemetry/instruments.js';
import { SocketRateLimiter } from './rate-limiter.js';
import type { ChatSocket } from './types.js';

/**
 * The checks every incoming event passes before its handler: the server is not draining, the
 * socket is within its rate limit, the event exists, and a session has been started. A refused
 * event gets an error ack when it carries one and is dropped otherwise.
 */
export function createEventGate(
  ctx: ChatContext,
  socket: ChatSocket,
  knownEvents: ReadonlySet<string>,
  isDraining: () => boolean,
) {
  const limiter = new SocketRateLimiter(ctx.config);

  // The packet as it arrived, not copied: this runs for every event of every socket.
  return (packet: unknown[], next: (error?: Error) => void): void => {
    const event = packet[0];
    const name = typeof event === 'string' ? event : String(event);
    const last = packet.length > 1 ? packet[packet.length - 1] : undefined;

    if (isDraining()) return refuse(knownEvents, name, last, errors.serverDraining());

    const decision = limiter.check(name);
    if (!decision.allowed) {
      refuse(knownEvents, name, last, errors.rateLimited(decision.retryAfterMs));
      if (decision.consecutiveRejections >= ctx.config.floodDisconnectAfter) {
        ctx.logger.warn({ socket: socket.id, code: 'RATE_LIMITED', rejections: decision.consecutiveRejections }, 'disconnecting a flooding socket');
        recordFloodDisconnect();
        socket.disconnect(true);
      }
      return;
    }
    if (!knownEvents.has(name)) {
      ctx.logger.info({ socket: socket.id, code: 'UNKNOWN_EVENT' }, 'event rejected');
      return refuse(knownEvents, name, last, errors.unknownEvent(name));
    }
    if (name !== 'session:start' && !socket.data.session) {
      ctx.logger.info({ socket: socket.id, event: name, code: 'NO_SESSION' }, 'event rejected');
      return refuse(knownEvents, name, last, errors.noSession());
    }
    next();
  };
}

function refuse(knownEvents: ReadonlySet<string>, name: string, last: unknown, error: ChatError): void {
  // A name no handler has is the client's text: counted, but never as a metric attribute.
  recordGateRefusal(knownEvents.has(name) ? name : 'unknown', error.code);
  if (typeof last === 'function') (last as (response: Ack) => void)({ ok: false, error: error.toBody() });
}
