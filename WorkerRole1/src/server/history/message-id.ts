import { monotonicFactory } from 'ulid';

export type MessageIdFactory = (now: number) => string;

/**
 * ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32, so ids sort by time
 * as plain strings. The monotonic factory keeps ids from one process strictly increasing even
 * within one millisecond.
 */
export function createMessageIdFactory(): MessageIdFactory {
  const next = monotonicFactory();
  return (now) => next(now);
}
