import { LIMITS } from './protocol.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID's first 10 characters are its milliseconds; the other 16 its random part. */
const TIME_CHARS = 10;
const LOWEST_RANDOM = '0'.repeat(16);

/**
 * Where a catch-up starts, given the newest id held: the lowest id of `LIMITS.catchUpMarginMs`
 * earlier, so that a message that reached the room after a later one (its id is older) still
 * comes back; what the client holds already it drops by id. An id that is not a ULID is used as
 * it is. Shared: any client of the protocol (the browser's, the benchmarks') catches up this way
 * (docs/protocol.md, History).
 */
export function catchUpStart(newestId: string): string {
  let ms = 0;
  for (const digit of newestId.slice(0, TIME_CHARS)) {
    const value = CROCKFORD.indexOf(digit);
    if (value < 0 || newestId.length !== TIME_CHARS + LOWEST_RANDOM.length) return newestId;
    ms = ms * 32 + value;
  }
  let rest = Math.max(0, ms - LIMITS.catchUpMarginMs);
  let time = '';
  for (let index = 0; index < TIME_CHARS; index += 1) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return time + LOWEST_RANDOM;
}
