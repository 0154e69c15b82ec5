import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

export type MessageIdFactory = (now: number) => string;

/** Random words drawn from the OS at a time: ulid's own source asks crypto for one byte per character. */
const POOL_WORDS = 1024;

/**
 * ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32, so ids sort by time
 * as plain strings. The monotonic factory keeps ids from one process strictly increasing even
 * within one millisecond. The random part comes from the same CSPRNG as ulid's default, fetched
 * in pools: its default makes 16 crypto calls per id, about 30 µs of CPU, the pool well under 1.
 */
export function createMessageIdFactory(): MessageIdFactory {
  const pool = new Uint32Array(POOL_WORDS);
  let at = POOL_WORDS;
  const random = () => {
    if (at === POOL_WORDS) {
      randomFillSync(pool);
      at = 0;
    }
    return pool[at++]! / 0x1_0000_0000;
  };
  const next = monotonicFactory(random);
  return (now) => next(now);
}
