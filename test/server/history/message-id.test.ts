import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTime } from 'ulid';
import { createMessageIdFactory } from '../../../WorkerRole1/src/server/history/message-id.js';

const CROCKFORD_ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

test('message ids are ULIDs carrying their time, strictly increasing within a millisecond and across many', () => {
  const next = createMessageIdFactory();
  const ids: string[] = [];
  for (let n = 0; n < 5000; n += 1) ids.push(next(1_700_000_000_000 + Math.floor(n / 3)));
  for (const id of ids) assert.match(id, CROCKFORD_ULID);
  assert.equal(decodeTime(ids[0]!), 1_700_000_000_000);
  assert.equal(decodeTime(ids.at(-1)!), 1_700_000_000_000 + Math.floor(4999 / 3));
  for (let n = 1; n < ids.length; n += 1) assert.ok(ids[n - 1]! < ids[n]!, `id ${n} sorts after the one before`);
});

test('the random part differs between instances and between milliseconds, so ids made apart do not collide', () => {
  const randomParts = new Set<string>();
  for (let instance = 0; instance < 200; instance += 1) {
    const next = createMessageIdFactory();
    for (let ms = 0; ms < 10; ms += 1) randomParts.add(next(1_700_000_000_000 + ms * 1000).slice(10));
  }
  assert.equal(randomParts.size, 2000);
});
