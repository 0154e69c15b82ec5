import { type Attributes, type Counter, type Histogram, type Meter, metrics } from '@opentelemetry/api';
import { Tally } from './tally.js';

/** The meter every chat instrument belongs to; its instruments are listed in the README. */
export const METER_NAME = 'chatapp';

const MESSAGE_EVENTS = new Set(['message:send', 'dm:send']);

/** The counts of every message and every refused event: summed here, observed at collection. */
const tallies = {
  messagesAccepted: new Tally('chat.messages.accepted', 'Messages (room and direct) stored and acknowledged', '{message}'),
  messagesDelivered: new Tally('chat.messages.delivered', 'Messages broadcast live to their room or recipient (a resend broadcasts its first copy again)', '{message}'),
  messagesRefused: new Tally('chat.messages.refused', 'Messages answered with an error, by code', '{message}'),
  eventsRefused: new Tally('chat.events.refused', 'Client events answered with an error, by event and code', '{event}'),
  rateLimited: new Tally('chat.events.rate_limited', 'Events refused by the per-socket rate limit', '{event}'),
  storageUnavailable: new Tally('chat.history.storage_unavailable', 'Events answered STORAGE_UNAVAILABLE (backlog full or storage down)', '{event}'),
};
/** History writes waiting for or in flight to storage; observed at collection like the tallies. */
let historyBacklog = 0;
/** The ack histogram's attribute sets, made once per event and outcome. */
const ackAttributes = new Map<string, Attributes>();

function createInstruments(meter: Meter) {
  const counter = (name: string, description: string, unit = '{event}'): Counter => meter.createCounter(name, { description, unit });
  const histogram = (name: string, description: string, unit: string, boundaries: number[]): Histogram =>
    meter.createHistogram(name, { description, unit, advice: { explicitBucketBoundaries: boundaries } });
  for (const tally of Object.values(tallies)) tally.observeWith(meter);
  meter
    .createObservableUpDownCounter('chat.history.backlog', { description: 'History writes waiting for or in flight to storage', unit: '{message}' })
    .addCallback((result) => result.observe(historyBacklog));
  return {
    ackDuration: histogram('chat.ack.duration', 'From an event arriving to its ack (for messages: stored)', 'ms', [
      1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000,
    ]),
    floodDisconnects: counter('chat.sockets.flood_disconnects', 'Sockets disconnected for flooding', '{socket}'),
    historyWriteDuration: histogram('chat.history.write.duration', 'One Table Storage batch transaction', 'ms', [
      5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
    ]),
    historyBatchSize: histogram('chat.history.batch.size', 'Messages per Table Storage batch transaction', '{message}', [1, 2, 5, 10, 25, 50, 100]),
    historyRetries: counter('chat.history.write.retries', 'Batch transactions retried after a transient storage failure', '{transaction}'),
    redisReconnects: counter('chat.redis.reconnects', 'Reconnection attempts of a Redis connection', '{attempt}'),
    redisErrors: counter('chat.redis.errors', 'Errors reported by a Redis connection (session store or adapter)', '{error}'),
  };
}

let instruments = createInstruments(metrics.getMeter(METER_NAME));

/**
 * The OpenTelemetry API hands out no-op instruments until a meter provider is registered, and
 * keeps them no-op afterwards: telemetry calls this once its provider is in place.
 */
export function bindInstruments(): void {
  instruments = createInstruments(metrics.getMeter(METER_NAME));
}

export function meter(): Meter {
  return metrics.getMeter(METER_NAME);
}

/** One handled client event: ack latency, refusals by code, and the message counters. */
export function recordEventOutcome(event: string, code: string | undefined, durationMs: number): void {
  const outcome = code ?? 'ok';
  const key = `${event}\n${outcome}`;
  let attributes = ackAttributes.get(key);
  if (!attributes) ackAttributes.set(key, (attributes = { 'chat.event': event, 'chat.outcome': outcome }));
  instruments.ackDuration.record(durationMs, attributes);
  if (code) {
    tallies.eventsRefused.add(key, () => ({ 'chat.event': event, 'chat.error_code': code }));
    if (code === 'STORAGE_UNAVAILABLE') tallies.storageUnavailable.add(event, () => ({ 'chat.event': event }));
  }
  if (!MESSAGE_EVENTS.has(event)) return;
  if (code) tallies.messagesRefused.add(key, () => ({ 'chat.event': event, 'chat.error_code': code }));
  else tallies.messagesAccepted.add(event, () => ({ 'chat.event': event }));
}

/** An event refused by the gate before any handler ran (draining, rate limit, unknown, no session). */
export function recordGateRefusal(event: string, code: string): void {
  const key = `${event}\n${code}`;
  tallies.eventsRefused.add(key, () => ({ 'chat.event': event, 'chat.error_code': code }));
  if (code === 'RATE_LIMITED') tallies.rateLimited.add(event, () => ({ 'chat.event': event }));
  if (MESSAGE_EVENTS.has(event)) tallies.messagesRefused.add(key, () => ({ 'chat.event': event, 'chat.error_code': code }));
}

export const recordFloodDisconnect = () => instruments.floodDisconnects.add(1);

export const recordDelivered = (kind: 'room' | 'direct') => tallies.messagesDelivered.add(kind, () => ({ 'chat.message.kind': kind }));

export const historyTelemetry = {
  queued: () => {
    historyBacklog += 1;
  },
  settled: (count: number) => {
    historyBacklog -= count;
  },
  transaction(durationMs: number, messages: number, result: string): void {
    const attributes: Attributes = { 'chat.history.result': result };
    instruments.historyWriteDuration.record(durationMs, attributes);
    instruments.historyBatchSize.record(messages, attributes);
  },
  retried: () => instruments.historyRetries.add(1),
};

export const redisTelemetry = {
  reconnecting: (connection: string) => instruments.redisReconnects.add(1, { 'chat.redis.connection': connection }),
  error: (connection: string) => instruments.redisErrors.add(1, { 'chat.redis.connection': connection }),
};
