import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendRequest, AppendResult, HistoryQuery, StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';
import { MemoryHistoryStore } from '../../../WorkerRole1/src/server/history/memory-history-store.js';
import { RecentHistoryCache } from '../../../WorkerRole1/src/server/history/recent-history-cache.js';

const ROOM = 'room:lobby';

/** The in-memory store, counting the reads that reach it, able to hold one back, and slow to write when told (live delivery first). */
class CountingStore extends MemoryHistoryStore {
  reads = 0;
  hold: Promise<void> | undefined;
  slowWrites = false;

  override async append(request: AppendRequest, onDelayed?: (message: StoredMessage) => void): Promise<AppendResult> {
    if (this.slowWrites) onDelayed?.(request.message);
    return super.append(request);
  }

  override async list(conversation: string, query: HistoryQuery): Promise<StoredMessage[]> {
    this.reads += 1;
    const messages = await super.list(conversation, query);
    await this.hold;
    return messages;
  }
}

function message(n: number): StoredMessage {
  return { id: String(n).padStart(26, '0'), conversation: ROOM, from: 'alice', text: `m${n}`, ts: n, clientId: `c${n}` };
}

function setUp(options: { maxAgeMs?: number; now?: () => number } = {}) {
  const store = new CountingStore(1000);
  const published: string[] = [];
  const cache = new RecentHistoryCache(store, {
    messages: 50,
    conversations: 2,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    publish: (conversation) => published.push(conversation),
    ...(options.now ? { now: options.now } : {}),
  });
  const append = (n: number, onDelayed?: (stored: StoredMessage) => void) => cache.append({ message: message(n), senderKey: 'alice' }, onDelayed);
  const texts = async (limit = 50) => (await cache.list(ROOM, { limit })).map((stored) => stored.text);
  return { store, cache, published, append, texts };
}

describe('recent history in front of the store', () => {
  it('answers repeated reads of a conversation from one storage read, newest last, as many as asked', async () => {
    const { store, append, texts } = setUp();
    for (let n = 1; n <= 3; n += 1) await append(n);
    assert.deepEqual(await texts(), ['m1', 'm2', 'm3']);
    assert.deepEqual(await texts(2), ['m2', 'm3']);
    assert.deepEqual(await texts(), ['m1', 'm2', 'm3']);
    assert.equal(store.reads, 1);
  });

  it('shares one storage read among readers who ask while it is in flight', async () => {
    const { store, cache, append } = setUp();
    await append(1);
    let release = () => {};
    store.hold = new Promise((resolve) => (release = resolve));
    const reads = Array.from({ length: 20 }, () => cache.list(ROOM, { limit: 50 }));
    release();
    for (const read of await Promise.all(reads)) assert.equal(read.length, 1);
    assert.equal(store.reads, 1);
  });

  it('shows a new message to the next reader and sends the other instances nothing when it was stored before delivery', async () => {
    const { append, texts, published } = setUp();
    await append(1);
    assert.deepEqual(await texts(), ['m1']);
    await append(2, () => assert.fail('stored in time: delivered by the caller, not early'));
    assert.deepEqual(await texts(), ['m1', 'm2']);
    assert.deepEqual(published, [], 'the delivery itself tells the other instances');
  });

  it('tells the other instances of a message delivered before it was stored once it is stored, not before', async () => {
    const { store, append, texts, published } = setUp();
    await append(1);
    assert.deepEqual(await texts(), ['m1']);
    const publishedAtDelivery: number[] = [];
    store.slowWrites = true;
    await append(2, () => publishedAtDelivery.push(published.length));
    assert.deepEqual(publishedAtDelivery, [0]);
    assert.deepEqual(published, [ROOM], 'a page read elsewhere between delivery and write would lack it');
    assert.deepEqual(await texts(), ['m1', 'm2']);
  });

  it('drops a page on an edit or delete made here, and tells nobody (the broadcast of the change does)', async () => {
    const { store, cache, append, texts, published } = setUp();
    await append(1);
    assert.deepEqual(await texts(), ['m1']);
    const result = await cache.change({ conversation: ROOM, id: message(1).id, change: { kind: 'edit', text: 'changed', at: 5 }, allowed: () => true });
    assert.equal(result.outcome, 'changed');
    assert.deepEqual(await texts(), ['changed']);
    assert.equal(store.reads, 2);
    assert.deepEqual(published, []);
  });

  it('reads conversations it may not keep from storage every time', async () => {
    const store = new CountingStore(1000);
    const cache = new RecentHistoryCache(store, { messages: 50, conversations: 10, maxAgeMs: 60_000, keeps: (conversation) => conversation === ROOM });
    await cache.list('dm:a|b', { limit: 50 });
    await cache.list('dm:a|b', { limit: 50 });
    await cache.list(ROOM, { limit: 50 });
    await cache.list(ROOM, { limit: 50 });
    assert.equal(store.reads, 3);
  });

  it('drops its pages and reads storage every time once changes elsewhere can no longer be heard', async () => {
    const { store, cache, texts } = setUp();
    assert.deepEqual(await texts(), []);
    await store.append({ message: message(1), senderKey: 'bob' });
    cache.keepNone();
    assert.deepEqual(await texts(), ['m1'], 'the page kept before is gone');
    await store.append({ message: message(2), senderKey: 'bob' });
    assert.deepEqual(await texts(), ['m1', 'm2'], 'nothing is kept after');
    assert.equal(store.reads, 3);
  });

  it('does not keep a page whose storage read started before a change: the reader after the change gets the message', async () => {
    const { store, cache, append, texts } = setUp();
    await append(1);
    let release = () => {};
    store.hold = new Promise((resolve) => (release = resolve));
    const early = cache.list(ROOM, { limit: 50 });
    cache.forget(ROOM);
    await store.append({ message: message(2), senderKey: 'bob' });
    const late = cache.list(ROOM, { limit: 50 });
    release();
    assert.deepEqual((await early).map((stored) => stored.text), ['m1']);
    assert.deepEqual((await late).map((stored) => stored.text), ['m1', 'm2']);
    store.hold = undefined;
    assert.deepEqual(await texts(), ['m1', 'm2']);
  });

  it('drops a page when another instance says its conversation changed', async () => {
    const { store, cache, texts } = setUp();
    assert.deepEqual(await texts(), []);
    await store.append({ message: message(1), senderKey: 'bob' });
    assert.deepEqual(await texts(), [], 'nothing said it changed yet');
    cache.forget(ROOM);
    assert.deepEqual(await texts(), ['m1']);
  });

  it('reads storage again once a page is older than the maximum age, even with no notice', async () => {
    let now = 0;
    const { store, texts } = setUp({ maxAgeMs: 1000, now: () => now });
    assert.deepEqual(await texts(), []);
    await store.append({ message: message(1), senderKey: 'bob' });
    now = 1000;
    assert.deepEqual(await texts(), ['m1']);
  });

  it('passes reads before an id or of a larger page to storage', async () => {
    const { store, cache, append } = setUp();
    for (let n = 1; n <= 3; n += 1) await append(n);
    assert.deepEqual((await cache.list(ROOM, { limit: 50, before: message(3).id })).map((stored) => stored.text), ['m1', 'm2']);
    assert.deepEqual((await cache.list(ROOM, { limit: 50, before: message(3).id, after: message(1).id })).map((stored) => stored.text), ['m2']);
    assert.equal((await cache.list(ROOM, { limit: 100 })).length, 3);
    assert.equal(store.reads, 3);
  });

  it('answers catch-ups after an id within the newest page from one storage read, oldest first, as many as asked', async () => {
    const { store, cache, append } = setUp();
    for (let n = 1; n <= 80; n += 1) await append(n);
    const after = (n: number, limit = 100) => cache.list(ROOM, { limit, after: message(n).id });
    const catchUps = await Promise.all(Array.from({ length: 20 }, () => after(75)));
    for (const caughtUp of catchUps) assert.deepEqual(caughtUp.map((stored) => stored.text), ['m76', 'm77', 'm78', 'm79', 'm80']);
    assert.deepEqual((await after(31, 3)).map((stored) => stored.text), ['m32', 'm33', 'm34'], 'from the page\'s oldest message on');
    assert.deepEqual(await after(80), [], 'nothing after the newest');
    assert.deepEqual((await after(31)).map((stored) => stored.text), Array.from({ length: 49 }, (_, n) => `m${n + 32}`), 'the whole page after its oldest');
    assert.equal(store.reads, 1);
  });

  it('reads storage for a catch-up that reaches back past a full page, and gets every message from there', async () => {
    const { store, cache, append } = setUp();
    for (let n = 1; n <= 80; n += 1) await append(n);
    // The page is m31 to m80: a message between m30 and m31 could only be in storage.
    const caughtUp = await cache.list(ROOM, { limit: 100, after: message(30).id });
    assert.deepEqual(caughtUp.map((stored) => stored.text), Array.from({ length: 50 }, (_, n) => `m${n + 31}`));
    assert.equal(store.reads, 2, 'the page, then storage');
  });

  it('answers a catch-up from a page that is the whole conversation, however far back it starts', async () => {
    const { store, cache, append } = setUp();
    for (let n = 5; n <= 7; n += 1) await append(n);
    for (const from of [1, 4]) {
      assert.deepEqual((await cache.list(ROOM, { limit: 100, after: message(from).id })).map((stored) => stored.text), ['m5', 'm6', 'm7']);
    }
    assert.equal(store.reads, 1);
  });

  it('shows a catch-up the message stored after the page was read, and one stored late with an older id', async () => {
    const { cache, append } = setUp();
    for (let n = 10; n <= 12; n += 1) await append(n);
    const after = async (n: number) => (await cache.list(ROOM, { limit: 100, after: message(n).id })).map((stored) => stored.text);
    assert.deepEqual(await after(10), ['m11', 'm12']);
    await append(13);
    await append(9);
    assert.deepEqual(await after(8), ['m9', 'm10', 'm11', 'm12', 'm13']);
  });

  it('keeps the most recently read conversations only, and forgets every page after a purge', async () => {
    const { store, cache, append, texts } = setUp();
    await append(1);
    for (const conversation of [ROOM, 'room:a', 'room:b']) await cache.list(conversation, { limit: 50 });
    assert.equal(store.reads, 3);
    await texts();
    assert.equal(store.reads, 4, 'the least recently read page went when a third was kept');
    await cache.list('room:b', { limit: 50 });
    assert.equal(store.reads, 4);
    assert.equal(await cache.purgeOlderThan(2), 1);
    assert.deepEqual(await texts(), []);
  });
});
