const MIN_JITTER_MS = 250;

/**
 * How long to wait before asking again after the server said "not now". Never less than the
 * server's `retryAfterMs`, plus a random share of it: thousands of clients refused in the same
 * instant (a storm after an instance went away) must not all come back in the same instant.
 */
export function retryDelay(retryAfterMs: number | undefined, fallbackMs: number, random: () => number = Math.random): number {
  const base = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : fallbackMs;
  return Math.round(base + random() * Math.max(base / 2, MIN_JITTER_MS));
}
