import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTime, encodeTime, ulid } from 'ulid';
import type { Connection } from '../../WorkerRole1/src/client/connection.js';
import { DirectMessages } from '../../WorkerRole1/src/client/direct.js';
import { Rooms } from '../../WorkerRole1/src/client/rooms.js';
import { Store } from '../../WorkerRole1/src/client/state/store.js';
import { type ChatMessage, LIMITS } from '../../WorkerRole1/src/shared/protocol.js';

const T = 1_765_000_000_000;
/** The lowest id of `LIMITS.catchUpMarginMs` before an id's time: where a catch-up must start. */
const marginBefore = (id: string) => encodeTime(decodeTime(id) - LIMITS.catchUpMarginMs, 10) + '0'.repeat(16);
const chat = (at: number, text: string): ChatMessage => ({ id: ulid(at), room: 'late', from: 'bob', text, ts: at, clientId: text });

/**
 * The server's side of the calls Rooms and DirectMessages make, over one conversation's history:
 * `room:join` answers the newest 50, `history:fetch` and `dm:history` the oldest `limit` after
 * `after`. Records the history requests.
 */
function serverWith(history: ChatMessage[]) {
  const requests: Array<{ event: string; after?: string }> = [];
  const call = async (event: string, payload: { after?: string; limit?: number }) => {
    if (event === 'room:join') {
      return { ok: true, room: 'late', memberCount: 2, members: ['bob', 'carol'], history: history.slice(-LIMITS.historyDefaultLimit) };
    }
    requests.push({ event, ...(payload.after === undefined ? {} : { after: payload.after }) });
    const after = payload.after ?? '';
    return { ok: true, messages: history.filter((message) => message.id > after).slice(0, payload.limit) };
  };
  return { connection: { call } as unknown as Connection, requests };
}

function carolHolding(held: ChatMessage[], kind: 'room' | 'dm') {
  const store = new Store();
  store.me = 'carol';
  const conversation = kind === 'room' ? store.room('late') : store.dm('bob');
  store.addMessages(conversation, held, false);
  conversation.loaded = true;
  return { store, conversation };
}

/** Carol holds the newer of two messages; the older one was stored after it. */
function carolMissingTheLateOne(kind: 'room' | 'dm') {
  const late = chat(T, 'stored late');
  const newer = chat(T + 300, 'stored first');
  return { newer, ...carolHolding([newer], kind), server: serverWith([late, newer]) };
}

describe('resuming a room after a reconnect', () => {
  it('asks from the margin before the newest message held, and gets the one stored after it once, counted unread once', async () => {
    const { newer, store, conversation, server } = carolMissingTheLateOne('room');

    assert.equal(await new Rooms(store, server.connection).resume(conversation, 2), null);

    assert.deepEqual(server.requests, [{ event: 'history:fetch', after: marginBefore(newer.id) }]);
    assert.deepEqual(conversation.messages.map((message) => message.text), ['stored late', 'stored first']);
    assert.equal(conversation.unread, 1);
  });
});

describe('rejoining a room after a reconnect', () => {
  it('catches up from the margin when the join history holds the last message seen but not the margin before it', async () => {
    const late = chat(T, 'stored late');
    const busy = Array.from({ length: LIMITS.historyDefaultLimit }, (_, n) => chat(T + 100 + n, `busy ${n}`));
    const { store, conversation } = carolHolding([busy.at(-1)!], 'room');
    const server = serverWith([late, ...busy]);

    assert.equal(await new Rooms(store, server.connection).join('late'), null);

    assert.deepEqual(server.requests, [{ event: 'history:fetch', after: marginBefore(busy.at(-1)!.id) }]);
    assert.equal(conversation.messages[0]?.text, 'stored late');
    assert.equal(conversation.messages.length, busy.length + 1);
  });

  it('fetches nothing more when the join history reaches back past the margin', async () => {
    const recent = Array.from({ length: LIMITS.historyDefaultLimit - 1 }, (_, n) => chat(T + n, `recent ${n}`));
    const history = [chat(T - LIMITS.catchUpMarginMs - 1, 'before the margin'), ...recent];
    const { store, conversation } = carolHolding([recent.at(-1)!], 'room');
    const server = serverWith(history);

    await new Rooms(store, server.connection).join('late');

    assert.deepEqual(server.requests, []);
    assert.equal(conversation.messages.length, LIMITS.historyDefaultLimit);
  });
});

describe('catching up a private conversation after a reconnect', () => {
  it('asks dm:history from the margin before the newest message held and keeps each message once', async () => {
    const { newer, store, conversation, server } = carolMissingTheLateOne('dm');

    await new DirectMessages(store, server.connection).catchUp(conversation);

    assert.deepEqual(server.requests, [{ event: 'dm:history', after: marginBefore(newer.id) }]);
    assert.deepEqual(conversation.messages.map((message) => message.text), ['stored late', 'stored first']);
    assert.equal(conversation.unread, 1);
  });
});
