import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelay } from '../../WorkerRole1/src/client/retry-delay.js';

describe('the wait before retrying a refused request', () => {
  it('is never shorter than the server’s retryAfterMs, and spreads clients over half as long again', () => {
    assert.equal(retryDelay(2000, 500, () => 0), 2000);
    assert.equal(retryDelay(2000, 500, () => 0.999_999), 3000);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelay(2000, 500)));
    assert.ok(spread.size > 10, 'clients refused together do not come back together');
  });

  it('uses the fallback when the server named no delay, still with jitter', () => {
    assert.equal(retryDelay(undefined, 1000, () => 0), 1000);
    assert.equal(retryDelay(undefined, 1000, () => 1), 1500);
    assert.equal(retryDelay(0, 100, () => 1), 350, 'at least a quarter second of spread');
  });
});
