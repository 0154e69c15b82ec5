import { isSpanContextValid, trace } from '@opentelemetry/api';
import { telemetryStarted } from './telemetry-started.js';

/**
 * Pino mixin: a log line written while an event or request is handled carries that trace's ids,
 * so an operator can go from a log line to its trace and back. Adds nothing when telemetry is off.
 * Pino merges the line's fields into the returned object, so each call returns a new one.
 */
export function traceIdsOfLogLine(): { trace_id?: string; span_id?: string } {
  if (!telemetryStarted()) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
