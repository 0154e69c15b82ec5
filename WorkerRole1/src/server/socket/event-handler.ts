import type { z } from 'zod';
import type { Ack } from '../../shared/protocol.js';
import type { ChatContext } from '../context.js';
import { HistoryUnavailableError } from '../history/history-store.js';
import { SessionStoreError } from '../sessions/session-registry.js';
import { type ChatError, errors, isChatError } from '../errors.js';
import { traceEvent } from '../telemetry/event-span.js';
import type { ChatSocket } from './types.js';

/** One client-to-server event: its payload schema and what it does with a valid payload. */
export interface EventHandler<S extends z.ZodType = z.ZodType, R extends object = object> {
  schema: S;
  /** The error a problem with each top-level field becomes; INVALID_PAYLOAD when not listed. */
  fieldErrors?: Partial<Record<string, (detail: string) => ChatError>>;
  /** Events whose sender may not care about the outcome (typing) run without an ack. */
  ackOptional?: boolean;
  run(ctx: ChatContext, socket: ChatSocket, payload: z.output<S>): Promise<R>;
}

export const defineHandler = <S extends z.ZodType, R extends object>(handler: EventHandler<S, R>) => handler;

type AckFunction = (response: Ack<object>) => void;
type Listener = (this: ChatSocket, ...args: unknown[]) => void;

/**
 * One listener per server, event and handler, shared by every socket: Socket.IO calls it with the
 * socket as `this`. A closure per socket and event cost each connection 14 functions and their
 * listener lists (about 5 KB of heap and 15 µs, bench/README.md), for as long as the socket lives.
 */
const listeners = new WeakMap<ChatContext, Map<string, { handler: EventHandler; listener: Listener }>>();

/**
 * Subscribes a handler to its event with the steps every event shares: ack present, payload
 * valid, run, error mapped to a code, exactly one ack. Nothing thrown escapes to Socket.IO.
 */
export function bindHandler(ctx: ChatContext, socket: ChatSocket, event: string, handler: EventHandler): void {
  let ofServer = listeners.get(ctx);
  if (!ofServer) {
    ofServer = new Map();
    listeners.set(ctx, ofServer);
  }
  let bound = ofServer.get(event);
  if (bound?.handler !== handler) {
    bound = { handler, listener: handlerListener(ctx, event, handler) };
    ofServer.set(event, bound);
  }
  socket.on(event as never, bound.listener as never);
}

function handlerListener(ctx: ChatContext, event: string, handler: EventHandler): Listener {
  return function (this: ChatSocket, ...args: unknown[]) {
    handleEvent(ctx, this, event, handler, args);
  };
}

function handleEvent(ctx: ChatContext, socket: ChatSocket, event: string, handler: EventHandler, args: unknown[]): void {
  const ack = typeof args.at(-1) === 'function' ? (args.pop() as AckFunction) : undefined;
  if (!ack && !handler.ackOptional) {
    ctx.logger.info({ socket: socket.id, event, code: 'MISSING_ACK' }, 'event ignored');
    return;
  }
  void ctx.inFlight.track(() =>
    traceEvent(event, async () => {
      let response: Ack<object>;
      try {
        if (args.length !== 1) throw errors.invalidPayload(`${event} takes one payload object`);
        const parsed = handler.schema.safeParse(args[0]);
        if (!parsed.success) throw fromValidation(parsed.error, handler.fieldErrors);
        response = { ok: true, ...(await handler.run(ctx, socket, parsed.data)) };
      } catch (error) {
        response = { ok: false, error: toChatError(ctx, socket, event, error).toBody() };
      }
      try {
        ack?.(response);
      } catch (error) {
        ctx.logger.warn({ err: error, socket: socket.id, event }, 'ack failed');
      }
      return response.ok ? undefined : response.error.code;
    }),
  );
}

function toChatError(ctx: ChatContext, socket: ChatSocket, event: string, error: unknown): ChatError {
  if (isChatError(error)) {
    ctx.logger.info({ socket: socket.id, event, code: error.code }, 'event rejected');
    return error;
  }
  if (error instanceof HistoryUnavailableError || error instanceof SessionStoreError) {
    ctx.logger.warn({ socket: socket.id, event, code: 'STORAGE_UNAVAILABLE', reason: error.message }, 'event refused');
    return error instanceof HistoryUnavailableError ? errors.storageUnavailable(error.retryAfterMs) : errors.sessionsUnavailable();
  }
  ctx.logger.error({ err: error, socket: socket.id, event }, 'event failed');
  return errors.internal();
}

function fromValidation(error: z.ZodError, fieldErrors: EventHandler['fieldErrors']): ChatError {
  const issue = error.issues[0];
  if (!issue) return errors.invalidPayload('invalid payload');
  const field = issue.path[0];
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const toError = typeof field === 'string' ? fieldErrors?.[field] : undefined;
  return toError ? toError(issue.message) : errors.invalidPayload(`${where}${issue.message}`);
}
