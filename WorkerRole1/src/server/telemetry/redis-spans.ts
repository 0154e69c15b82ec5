import { tracingChannel } from 'node:diagnostics_channel';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** What node-redis (v5+) publishes on its `node-redis:command` tracing channel. */
interface CommandMessage {
  command: string;
  serverAddress?: string;
  serverPort?: number;
  error?: unknown;
}

/** The adapter's blocking read loop, when no event caused it: one span per poll would be noise. */
const BACKGROUND_POLL = new Set(['XREAD', 'XREADGROUP']);

/**
 * Redis calls as dependency spans, from node-redis's own diagnostics channel: the OpenTelemetry
 * Redis instrumentation only knows @redis/client up to v5. A span names the command, never its
 * arguments (keys name sessions and nicknames, stream entries carry messages). Returns the
 * function that stops tracing.
 */
export function traceRedisCommands(): () => void {
  const channel = tracingChannel<string, CommandMessage & object>('node-redis:command');
  const tracer = trace.getTracer('chatapp');
  const spans = new WeakMap<object, Span>();
  const finish = (message: CommandMessage & object) => {
    const span = spans.get(message);
    if (!span) return;
    spans.delete(message);
    if (message.error !== undefined) {
      const name = message.error instanceof Error ? message.error.name : 'Error';
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      span.setAttribute('error.type', name);
    }
    span.end();
  };
  const handlers = {
    start(message: CommandMessage & object) {
      const parent = trace.getActiveSpan();
      if (!parent && BACKGROUND_POLL.has(message.command)) return;
      const span = tracer.startSpan(
        `redis ${message.command}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'redis',
            'db.system': 'redis',
            'db.operation.name': message.command,
            ...(message.serverAddress ? { 'server.address': message.serverAddress } : {}),
            ...(message.serverPort ? { 'server.port': message.serverPort } : {}),
          },
        },
        context.active(),
      );
      spans.set(message, span);
    },
    end(message: CommandMessage & object) {
      // A command that threw before returning its promise gets no asyncStart.
      if (message.error !== undefined) finish(message);
    },
    asyncStart: finish,
    asyncEnd() {},
    error() {},
  };
  channel.subscribe(handlers);
  return () => channel.unsubscribe(handlers);
}
