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

  return ([event, ...args]: unknown[], next: (error?: Error) => void): void => {
    const name = typeof event === 'string' ? event : String(event);
    const last = args.at(-1);
    const refuse = (error: ChatError) => {
      // A name no handler has is the client's text: counted, but never as a metric attribute.
      recordGateRefusal(knownEvents.has(name) ? name : 'unknown', error.code);
      if (typeof last === 'function') (last as (response: Ack) => void)({ ok: false, error: error.toBody() });
    };

    if (isDraining()) return refuse(errors.serverDraining());

    const decision = limiter.check(name);
    if (!decision.allowed) {
      refuse(errors.rateLimited(decision.retryAfterMs));
      if (decision.consecutiveRejections >= ctx.config.floodDisconnectAfter) {
        ctx.logger.warn({ socket: socket.id, code: 'RATE_LIMITED', rejections: decision.consecutiveRejections }, 'disconnecting a flooding socket');
        recordFloodDisconnect();
        socket.disconnect(true);
      }
      return;
    }
    if (!knownEvents.has(name)) {
      ctx.logger.info({ socket: socket.id, code: 'UNKNOWN_EVENT' }, 'event rejected');
      return refuse(errors.unknownEvent(name));
    }
    if (name !== 'session:start' && !socket.data.session) {
      ctx.logger.info({ socket: socket.id, event: name, code: 'NO_SESSION' }, 'event rejected');
      return refuse(errors.noSession());
    }
    next();
  };
}
