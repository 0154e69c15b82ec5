import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, encodeTime, ulid } from 'ulid';
import { catchUpAfter, type FetchPage, type PageQuery } from '../../WorkerRole1/src/client/history-paging.js';
import { catchUpStart } from '../../WorkerRole1/src/shared/catch-up-start.js';
import type { LogMessage } from '../../WorkerRole1/src/client/state/conversation.js';
import { Store } from '../../WorkerRole1/src/client/state/store.js';
import { LIMITS } from '../../WorkerRole1/src/shared/protocol.js';

const message = (at: number, from: string, text: string): LogMessage => ({ id: ulid(at), from, text, ts: at, clientId: `${from}-${text}` });

/**
 * A conversation's history as the server answers `after` queries: every message with a greater
 * id, oldest first, at most `limit`. Records each query.
 */
function historyOf(messages: LogMessage[]) {
  const sorted = [...messages].sort((a, b) => (a.id < b.id ? -1 : 1));
  const queries: PageQuery[] = [];
  const fetchPage: FetchPage = async (query) => {
    queries.push(query);
    const after = query.after ?? '';
    return { ok: true, messages: sorted.filter((held) => held.id > after).slice(0, query.limit) };
  };
  return { queries, fetchPage };
}

/** A store whose conversation with `held` is not on screen, so that what a catch-up adds counts as unread. */
function storeHolding(held: LogMessage[]) {
  const store = new Store();
  store.me = 'carol';
  const conversation = store.room('late');
  store.addMessages(conversation, held, false);
  return { store, conversation };
}

describe('the first catch-up request after a reconnect', () => {
  it('asks for what came after the lowest id of the margin before the newest id held', () => {
    const newest = ulid(1_765_000_000_123);
    const start = catchUpStart(newest);
    assert.equal(start, encodeTime(1_765_000_000_123 - LIMITS.catchUpMarginMs, 10) + '0000000000000000');
    assert.equal(decodeTime(start), 1_765_000_000_123 - LIMITS.catchUpMarginMs);
  });

  it('starts at the beginning of time for an id younger than the margin, and at the id itself for one that is not a ULID', () => {
    assert.equal(catchUpStart(ulid(LIMITS.catchUpMarginMs - 1)), '0'.repeat(26));
    assert.equal(catchUpStart('not-a-ulid'), 'not-a-ulid');
  });

  it('brings back a message that landed after a newer one the client held, without repeating or counting what it held', async () => {
    const t = 1_765_000_000_000;
    const older = message(t - 60_000, 'ann', 'long ago');
    const late = message(t + 100, 'ann', 'stored late');
    const newer = message(t + 400, 'bob', 'stored first');
    const after = message(t + 5_000, 'bob', 'sent while away');
    const { store, conversation } = storeHolding([older, newer]);
    const history = historyOf([older, late, newer, after]);

    await catchUpAfter(store, conversation, newer.id, history.fetchPage);

    assert.equal(history.queries[0]?.after, catchUpStart(newer.id));
    assert.deepEqual(
      conversation.messages.map((held) => held.text),
      ['long ago', 'stored late', 'stored first', 'sent while away'],
    );
    assert.equal(conversation.unread, 2, 'the two messages it did not hold, and only those, are unread');
  });

  it('reaches back only on the first page: the next ones continue from the newest id of the page before', async () => {
    const t = 1_765_000_000_000;
    const held = message(t, 'ann', 'held');
    const missed = Array.from({ length: LIMITS.historyMaxLimit + 20 }, (_, n) => message(t + 10 + n, 'bob', `missed ${n}`));
    const { store, conversation } = storeHolding([held]);
    const history = historyOf([held, ...missed]);

    await catchUpAfter(store, conversation, held.id, history.fetchPage);

    assert.deepEqual(
      history.queries.map((query) => query.after),
      [catchUpStart(held.id), missed[LIMITS.historyMaxLimit - 2]!.id],
      'the first page holds the held message and 99 missed ones; the second starts after the 99th',
    );
    assert.equal(conversation.messages.length, missed.length + 1);
    assert.equal(new Set(conversation.messages.map((kept) => kept.id)).size, conversation.messages.length);
    assert.equal(conversation.unread, missed.length);
  });
});
