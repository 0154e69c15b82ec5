import { context, type SpanOptions, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordEventOutcome } from './instruments.js';
import { telemetryStarted } from './telemetry-started.js';

/** Codes that mean this service failed, not that the client asked for something it may not have. */
const SERVER_FAULTS = new Set(['STORAGE_UNAVAILABLE', 'INTERNAL_ERROR', 'SERVER_DRAINING']);

const tracer = trace.getTracer('chatapp');

/** Each event's span name and options, made once: the SDK copies the attributes into the span. */
const spanStarts = new Map<string, { name: string; options: SpanOptions }>();

function spanStartOf(event: string): { name: string; options: SpanOptions } {
  let start = spanStarts.get(event);
  if (!start) {
    start = { name: `socket.io ${event}`, options: { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'socket.io', 'chat.event': event } } };
    spanStarts.set(event, start);
  }
  return start;
}

/**
 * Runs one handled Socket.IO event inside its own span, `socket.io <event>`, so that the Redis and
 * Table Storage calls it makes and the log lines it writes carry its trace. `handle` answers the
 * event and returns the error code of its ack, or undefined for success. The span and the metrics
 * carry that code and the event name only: never the payload, a nickname or a token. With
 * telemetry off it only runs `handle`: there is no span to make and no meter to record to.
 */
export async function traceEvent(event: string, handle: () => Promise<string | undefined>): Promise<void> {
  if (!telemetryStarted()) {
    await handle();
    return;
  }
  const started = performance.now();
  const { name, options } = spanStartOf(event);
  // One lookup of the active context serves as the span's parent and as the base of its own.
  const parent = context.active();
  const span = tracer.startSpan(name, options, parent);
  let code: string | undefined = 'INTERNAL_ERROR';
  try {
    code = await context.with(trace.setSpan(parent, span), handle);
  } finally {
    span.setAttribute('chat.outcome', code ?? 'ok');
    if (code && SERVER_FAULTS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    span.end();
    recordEventOutcome(event, code, performance.now() - started);
  }
}
