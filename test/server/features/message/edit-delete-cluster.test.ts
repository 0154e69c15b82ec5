import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ChatMessage } from '../../../../WorkerRole1/src/shared/protocol.js';
import { type RunningAzurite, startAzurite } from '../../../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../../../helpers/chat-cluster.js';
import {
  type ChatClient,
  closeClients,
  errorOf,
  joinRoom,
  newClientId,
  nextEvent,
  okValue,
  record,
  request,
  sendMessage,
  startSession,
} from '../../../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../../../helpers/redis-server.js';

/**
 * Edits and deletes across two real instances sharing a real Redis and a real Azurite: what every
 * client sees, what history says (after a restart too), and who may do what.
 */

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let cluster: ChatCluster;
let roomCount = 0;
const urls = () => cluster.instances.map((instance) => instance.url) as [string, string];

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  cluster = await startChatCluster(2, { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: 'editdelete' });
});

afterEach(() => closeClients());

after(async () => {
  await cluster?.stop();
  await Promise.all([redis?.stop(), azurite?.dispose()]);
});

/** A client's view of a conversation, applying changes as the browser does: the greatest editedTs wins. */
function view(socket: ChatClient, room: string): Map<string, ChatMessage> {
  const messages = new Map<string, ChatMessage>();
  const apply = (message: ChatMessage) => {
    if (message.room !== room) return;
    const held = messages.get(message.id);
    if (!held || (message.editedTs ?? 0) > (held.editedTs ?? 0)) messages.set(message.id, message);
  };
  for (const event of ['message', 'message:updated', 'message:deleted'] as const) socket.on(event, apply);
  return messages;
}

/** Alice on the first instance, Bob on the second, both in a fresh room. */
async function twoInstances() {
  const room = `edits-${++roomCount}`;
  const [first, second] = urls();
  const alice = await startSession(first, `alice${roomCount}`);
  const bob = await startSession(second, `bob${roomCount}`);
  await joinRoom(alice.socket, room);
  await joinRoom(bob.socket, room);
  return { room, alice, bob };
}

const historyOf = async (socket: ChatClient, room: string) => okValue(await request(socket, 'history:fetch', { room })).messages;

async function eventually(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('editing and deleting room messages on two instances (Redis, Azurite)', { timeout: 60_000 }, () => {
  it('shows an edit and then a delete identically to the author and to a reader on the other instance, and in history on both', async () => {
    const { room, alice, bob } = await twoInstances();
    const delivered = nextEvent(bob.socket, 'message');
    const sent = await sendMessage(alice.socket, room, 'helo world');
    assert.deepEqual(await delivered, sent);

    const updated = nextEvent(bob.socket, 'message:updated');
    const edited = okValue(await request(alice.socket, 'message:edit', { room, id: sent.id, text: 'hello world' })).message;
    assert.equal(edited.text, 'hello world');
    assert.ok(edited.editedTs! > sent.ts);
    assert.deepEqual(await updated, edited);
    assert.deepEqual((await historyOf(bob.socket, room)).find((message) => message.id === sent.id), edited);

    const deletedEvent = nextEvent(bob.socket, 'message:deleted');
    const tombstone = okValue(await request(alice.socket, 'message:delete', { room, id: sent.id })).message;
    assert.deepEqual(tombstone, { ...sent, text: '', deleted: true, editedTs: tombstone.editedTs });
    assert.ok(tombstone.editedTs! > edited.editedTs!);
    assert.deepEqual(await deletedEvent, tombstone);
    for (const socket of [alice.socket, bob.socket]) {
      assert.deepEqual((await historyOf(socket, room)).find((message) => message.id === sent.id), tombstone);
    }
  });

  it('refuses an edit or delete by someone else with FORBIDDEN, and an unknown id with MESSAGE_NOT_FOUND, changing nothing', async () => {
    const { room, alice, bob } = await twoInstances();
    const sent = await sendMessage(alice.socket, room, 'mine');
    errorOf(await request(bob.socket, 'message:edit', { room, id: sent.id, text: 'yours now' }), 'FORBIDDEN');
    errorOf(await request(bob.socket, 'message:delete', { room, id: sent.id }), 'FORBIDDEN');
    errorOf(await request(alice.socket, 'message:delete', { room, id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), 'MESSAGE_NOT_FOUND');
    errorOf(await request(alice.socket, 'message:edit', { room, id: 'not-an-id', text: 'x' }), 'INVALID_PAYLOAD');
    assert.equal((await historyOf(alice.socket, room)).find((message) => message.id === sent.id)?.text, 'mine');
  });

  it('lets nobody who later takes the same nickname edit or delete: authorship is the session, not the name', async () => {
    const [first] = urls();
    const { room, alice } = await twoInstances();
    const sent = await sendMessage(alice.socket, room, 'said by the first alice');
    // A rename ends the session and frees the nickname at once; its next holder is someone else.
    okValue(await request(alice.socket, 'session:start', { nickname: `${alice.nickname}-renamed`, session: alice.session }));
    const next = await startSession(first, alice.nickname);
    await joinRoom(next.socket, room);
    errorOf(await request(next.socket, 'message:edit', { room, id: sent.id, text: 'put in her mouth' }), 'FORBIDDEN');
    errorOf(await request(next.socket, 'message:delete', { room, id: sent.id }), 'FORBIDDEN');
  });

  it('gives a delete sent twice, and an edit racing a delete from two tabs on two instances, one outcome for everyone', async () => {
    const { room, alice, bob } = await twoInstances();
    const [, second] = urls();
    const aliceOnSecond = await startSession(second, alice.nickname, { session: alice.session });
    await joinRoom(aliceOnSecond.socket, room);
    const views = [view(alice.socket, room), view(aliceOnSecond.socket, room), view(bob.socket, room)];
    const sent = await sendMessage(alice.socket, room, 'race me');
    await eventually(() => views.every((messages) => messages.has(sent.id)));

    const acks = await Promise.all([
      request(alice.socket, 'message:edit', { room, id: sent.id, text: 'edit one' }),
      request(aliceOnSecond.socket, 'message:delete', { room, id: sent.id }),
      request(aliceOnSecond.socket, 'message:edit', { room, id: sent.id, text: 'edit two' }),
      request(alice.socket, 'message:delete', { room, id: sent.id }),
    ]);
    for (const ack of acks) assert.ok(ack.ok || ack.error.code === 'MESSAGE_NOT_FOUND', JSON.stringify(ack));
    const deletes = [acks[1], acks[3]].map((ack) => okValue(ack!).message);
    assert.deepEqual(deletes[0], deletes[1], 'both deletes answer the same tombstone');
    const [history] = await Promise.all([historyOf(alice.socket, room), historyOf(bob.socket, room)]);
    const stored = history.find((message) => message.id === sent.id)!;
    assert.equal(stored.deleted, true);
    assert.deepEqual(deletes[0], stored);
    await eventually(() => views.every((messages) => messages.get(sent.id)?.editedTs === stored.editedTs));
    for (const messages of views) assert.deepEqual(messages.get(sent.id), stored);
  });

  it('answers a resend of a deleted message with its tombstone, never its text', async () => {
    const { room, alice, bob } = await twoInstances();
    const clientId = newClientId();
    const delivered = nextEvent(bob.socket, 'message');
    const sent = await sendMessage(alice.socket, room, 'regret', clientId);
    await delivered;
    okValue(await request(alice.socket, 'message:delete', { room, id: sent.id }));
    const seen = record(bob.socket, 'message');
    const resent = okValue(await request(alice.socket, 'message:send', { room, text: 'regret', clientId })).message;
    assert.deepEqual({ id: resent.id, text: resent.text, deleted: resent.deleted }, { id: sent.id, text: '', deleted: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(seen.every((message) => message.text === ''), 'nobody receives the text again');
  });

  it('edits and deletes private messages for both people, on both instances, and dm:history agrees', async () => {
    const { alice, bob } = await twoInstances();
    const sent = okValue(await request(alice.socket, 'dm:send', { to: bob.nickname, text: 'psst', clientId: newClientId() })).message;
    const updated = nextEvent(bob.socket, 'dm:updated');
    const edited = okValue(await request(alice.socket, 'dm:edit', { with: bob.nickname, id: sent.id, text: 'psst!' })).message;
    assert.deepEqual(await updated, edited);
    errorOf(await request(bob.socket, 'dm:delete', { with: alice.nickname, id: sent.id }), 'FORBIDDEN');
    const deleted = nextEvent(bob.socket, 'dm:deleted');
    const tombstone = okValue(await request(alice.socket, 'dm:delete', { with: bob.nickname, id: sent.id })).message;
    assert.deepEqual(await deleted, tombstone);
    const history = okValue(await request(bob.socket, 'dm:history', { with: alice.nickname })).messages;
    assert.deepEqual(history.find((message) => message.id === sent.id), tombstone);
  });

  it('refuses room:remove from someone who is not a moderator with FORBIDDEN, and lets the person stay', async () => {
    const { room, alice, bob } = await twoInstances();
    errorOf(await request(alice.socket, 'room:remove', { room, nickname: bob.nickname, durationMs: 60_000 }), 'FORBIDDEN');
    errorOf(await request(alice.socket, 'room:remove', { room, nickname: bob.nickname, durationMs: 10 }), 'INVALID_PAYLOAD');
    assert.equal((await sendMessage(bob.socket, room, 'still here')).text, 'still here');
  });

  it('keeps edits and tombstones in history after both instances restart', async () => {
    const { room, alice } = await twoInstances();
    const kept = await sendMessage(alice.socket, room, 'before');
    const gone = await sendMessage(alice.socket, room, 'gone soon');
    const edited = okValue(await request(alice.socket, 'message:edit', { room, id: kept.id, text: 'after' })).message;
    const tombstone = okValue(await request(alice.socket, 'message:delete', { room, id: gone.id })).message;
    closeClients();
    await cluster.kill(0);
    await cluster.kill(1);
    await Promise.all([cluster.restart(0), cluster.restart(1)]);
    for (const url of urls()) {
      const reader = await startSession(url, `reader${++roomCount}`);
      const { history } = await joinRoom(reader.socket, room);
      assert.deepEqual(history.filter((message) => [kept.id, gone.id].includes(message.id)), [edited, tombstone]);
    }
  });
});
