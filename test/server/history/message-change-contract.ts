import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monotonicFactory, ulid } from 'ulid';
import type { ChangeRequest, HistoryStore, MessageChange, StoredMessage } from '../../../WorkerRole1/src/server/history/history-store.js';

const nextId = monotonicFactory();

/** How a suite gets a fresh store, and a second view of it (another instance) when the store is shared. */
export interface StoreTarget {
  name: string;
  create(): Promise<{ store: HistoryStore; other: HistoryStore }>;
}

/** Ids increase in the order made, unless given a time (then a plain ULID of that time). */
export function storedMessage(text: string, clientId: string, author = 'session:ann', at?: number): StoredMessage {
  const ts = at ?? Date.now();
  return { id: at === undefined ? nextId(ts) : ulid(ts), conversation: 'room:lobby', from: 'ann', text, ts, clientId, author };
}

const byAuthor = (author: string) => (message: StoredMessage) => message.author === author;

export function changeOf(id: string, change: MessageChange, allowed = byAuthor('session:ann')): ChangeRequest {
  return { conversation: 'room:lobby', id, change, allowed };
}

/** Edits and deletes: what every history store does alike. */
export function messageChangeContract(target: StoreTarget): void {
  describe(`${target.name}: edits and deletes`, () => {
    it('edits the text with editedTs later than the last change; history and a resend both show the edit', async () => {
      const { store } = await target.create();
      const original = storedMessage('helo', 'c1');
      await store.append({ message: original, senderKey: 'ann' });
      const first = await store.change(changeOf(original.id, { kind: 'edit', text: 'hello', at: original.ts - 5000 }));
      assert.equal(first.outcome, 'changed');
      assert.ok('message' in first && first.message.editedTs! > original.ts, 'a skewed clock still moves editedTs forward');
      const second = await store.change(changeOf(original.id, { kind: 'edit', text: 'hello!', at: original.ts - 5000 }));
      assert.ok('message' in second && second.message.editedTs! > first.message.editedTs!);
      const [listed] = await store.list('room:lobby', { limit: 10 });
      assert.deepEqual(listed, { ...original, text: 'hello!', editedTs: second.message.editedTs });
      const resent = await store.append({ message: storedMessage('helo', 'c1'), senderKey: 'ann' });
      assert.deepEqual({ created: resent.created, text: resent.message.text }, { created: false, text: 'hello!' });
    });

    it('turns a deleted message into a tombstone everywhere: history, a later page, and a resend do not bring its text back', async () => {
      const { store } = await target.create();
      const original = storedMessage('oops', 'c1');
      await store.append({ message: original, senderKey: 'ann' });
      const deleted = await store.change(changeOf(original.id, { kind: 'delete', at: Date.now() }));
      assert.equal(deleted.outcome, 'changed');
      const [listed] = await store.list('room:lobby', { limit: 10 });
      assert.equal(listed!.deleted, true);
      assert.equal(listed!.text, '');
      const [after] = await store.list('room:lobby', { limit: 10, after: '0'.repeat(26) });
      assert.deepEqual(after, listed);
      const resent = await store.append({ message: storedMessage('oops', 'c1'), senderKey: 'ann' });
      assert.deepEqual({ created: resent.created, text: resent.message.text, deleted: resent.message.deleted }, { created: false, text: '', deleted: true });
      assert.equal((await store.list('room:lobby', { limit: 10 })).length, 1, 'the resend stored no second copy');
    });

    it('makes a repeated delete a no-op success, refuses editing a deleted message, and ignores an edit to the same text', async () => {
      const { store } = await target.create();
      const original = storedMessage('text', 'c1');
      await store.append({ message: original, senderKey: 'ann' });
      assert.equal((await store.change(changeOf(original.id, { kind: 'edit', text: 'text', at: Date.now() }))).outcome, 'unchanged');
      assert.equal((await store.list('room:lobby', { limit: 1 }))[0]!.editedTs, undefined);
      assert.equal((await store.change(changeOf(original.id, { kind: 'delete', at: Date.now() }))).outcome, 'changed');
      assert.equal((await store.change(changeOf(original.id, { kind: 'delete', at: Date.now() }))).outcome, 'unchanged');
      assert.equal((await store.change(changeOf(original.id, { kind: 'edit', text: 'back', at: Date.now() }))).outcome, 'deleted');
    });

    it('asks whether the change is allowed of the message as stored, and changes nothing when it is not', async () => {
      const { store } = await target.create();
      const original = storedMessage('mine', 'c1', 'session:ann', Date.now() - 60_000);
      await store.append({ message: original, senderKey: 'ann' });
      const refused = await store.change(changeOf(original.id, { kind: 'delete', at: Date.now() }, byAuthor('session:bob')));
      assert.equal(refused.outcome, 'forbidden');
      assert.equal((await store.list('room:lobby', { limit: 1 }))[0]!.text, 'mine');
      const unknown = storedMessage('never stored', 'c2', 'session:ann', Date.now() - 60_000);
      assert.deepEqual(await store.change(changeOf(unknown.id, { kind: 'delete', at: Date.now() })), { outcome: 'missing' });
      assert.deepEqual(await store.change({ ...changeOf(original.id, { kind: 'delete', at: Date.now() }), conversation: 'room:other' }), { outcome: 'missing' });
    });

    it('gives concurrent edits and deletes from two instances one outcome: the delete wins, seen alike by both', async () => {
      const { store, other } = await target.create();
      const original = storedMessage('race', 'c1');
      await store.append({ message: original, senderKey: 'ann' });
      const results = await Promise.all([
        store.change(changeOf(original.id, { kind: 'edit', text: 'edit east', at: Date.now() })),
        other.change(changeOf(original.id, { kind: 'delete', at: Date.now() })),
        other.change(changeOf(original.id, { kind: 'edit', text: 'edit west', at: Date.now() })),
        store.change(changeOf(original.id, { kind: 'delete', at: Date.now() })),
      ]);
      assert.equal(results.filter((result) => result.outcome === 'changed' && result.message.deleted).length, 1, 'exactly one delete landed');
      const [east, west] = await Promise.all([store.list('room:lobby', { limit: 1 }), other.list('room:lobby', { limit: 1 })]);
      assert.deepEqual(east, west);
      assert.equal(east[0]!.deleted, true);
      const changedTs = results.flatMap((result) => (result.outcome === 'changed' ? [result.message.editedTs!] : []));
      assert.equal(new Set(changedTs).size, changedTs.length, 'every change that landed has its own editedTs');
      assert.equal(east[0]!.editedTs, Math.max(...changedTs), 'the tombstone is the last change');
    });

    it('lands the last of racing edits by the same author on both instances, each later one with a greater editedTs', async () => {
      const { store, other } = await target.create();
      const original = storedMessage('v0', 'c1');
      await store.append({ message: original, senderKey: 'ann' });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, n) => (n % 2 ? other : store).change(changeOf(original.id, { kind: 'edit', text: `v${n + 1}`, at: Date.now() }))),
      );
      const landed = results.flatMap((result) => (result.outcome === 'changed' ? [result.message] : []));
      assert.equal(landed.length, 6, 'every edit landed, one after another');
      const last = landed.reduce((a, b) => (a.editedTs! > b.editedTs! ? a : b));
      const [east, west] = await Promise.all([store.list('room:lobby', { limit: 1 }), other.list('room:lobby', { limit: 1 })]);
      assert.deepEqual(east, west);
      assert.equal(east[0]!.text, last.text);
      assert.equal(east[0]!.editedTs, last.editedTs);
    });
  });
}
