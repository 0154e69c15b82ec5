import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectMessage } from '../../../../WorkerRole1/src/shared/protocol.js';
import { startChatServer } from '../../../helpers/chat-server.js';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import { type ChatClient, errorOf, okValue, rawRequest, request, startSession } from '../../../helpers/clients.js';

describe('dm:history', () => {
  const { server, unique } = chatServerPerSuite({ messageBurst: 100, eventBurst: 200 });

  async function dm(from: ChatClient, to: string, text: string): Promise<DirectMessage> {
    return okValue(await request(from, 'dm:send', { to, text, clientId: `${to}-${text}` })).message;
  }

  it('shows both sides the same conversation, oldest first', async () => {
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    const sent = [
      await dm(alice.socket, bob.nickname, 'one'),
      await dm(bob.socket, alice.nickname, 'two'),
      await dm(alice.socket, bob.nickname, 'three'),
    ];
    const seenByAlice = okValue(await request(alice.socket, 'dm:history', { with: bob.nickname })).messages;
    const seenByBob = okValue(await request(bob.socket, 'dm:history', { with: alice.nickname.toUpperCase() })).messages;
    assert.deepEqual(seenByAlice, sent);
    assert.deepEqual(seenByBob, sent);
  });

  it("does not show a third person's conversations", async () => {
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    const carol = await startSession(server.url, unique('carol'));
    await dm(alice.socket, bob.nickname, 'alice to bob');
    const toCarol = await dm(alice.socket, carol.nickname, 'alice to carol');
    const carolsView = okValue(await request(carol.socket, 'dm:history', { with: alice.nickname })).messages;
    assert.deepEqual(carolsView, [toCarol]);
    const carolWithBob = okValue(await request(carol.socket, 'dm:history', { with: bob.nickname })).messages;
    assert.deepEqual(carolWithBob, []);
  });

  it('pages with before, after and limit', async () => {
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    const sent: DirectMessage[] = [];
    for (let i = 0; i < 8; i++) sent.push(await dm(alice.socket, bob.nickname, `m${i}`));
    const texts = (messages: DirectMessage[]) => messages.map((message) => message.text);
    const page = async (query: { before?: string; after?: string; limit?: number }) =>
      texts(okValue(await request(bob.socket, 'dm:history', { with: alice.nickname, ...query })).messages);

    assert.deepEqual(await page({ limit: 3 }), ['m5', 'm6', 'm7']);
    assert.deepEqual(await page({ before: sent[5]!.id, limit: 3 }), ['m2', 'm3', 'm4']);
    assert.deepEqual(await page({ after: sent[1]!.id, limit: 3 }), ['m2', 'm3', 'm4']);
    assert.deepEqual(await page({ after: sent[7]!.id }), []);
  });

  it('answers USER_NOT_FOUND for a nickname nobody holds', async () => {
    const alice = await startSession(server.url, unique('alice'));
    errorOf(await request(alice.socket, 'dm:history', { with: 'never-seen' }), 'USER_NOT_FOUND');
  });

  it("does not show the last holder's private messages to whoever takes the nickname next", async () => {
    const graceServer = await startChatServer({ sessionGraceMs: 100 });
    try {
      const alice = await startSession(graceServer.url, 'alice');
      const bob = await startSession(graceServer.url, 'bob');
      await dm(alice.socket, 'bob', 'for bob only');
      bob.socket.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const impostor = await startSession(graceServer.url, 'bob');
      assert.deepEqual(okValue(await request(impostor.socket, 'dm:history', { with: 'alice' })).messages, []);
      assert.deepEqual(okValue(await request(alice.socket, 'dm:history', { with: 'bob' })).messages, []);
    } finally {
      await graceServer.close();
    }
  });

  it('answers INVALID_NICKNAME for something that cannot be a nickname', async () => {
    const alice = await startSession(server.url, unique('alice'));
    errorOf(await request(alice.socket, 'dm:history', { with: 'bad!name' }), 'INVALID_NICKNAME');
    errorOf(await rawRequest(alice.socket, 'dm:history', [{ with: 3 }]), 'INVALID_NICKNAME');
  });

  it('answers INVALID_PAYLOAD for a bad cursor or limit', async () => {
    const alice = await startSession(server.url, unique('alice'));
    errorOf(await request(alice.socket, 'dm:history', { with: 'bob', before: 'not-an-id' }), 'INVALID_PAYLOAD');
    errorOf(await request(alice.socket, 'dm:history', { with: 'bob', limit: 101 }), 'INVALID_PAYLOAD');
    errorOf(await request(alice.socket, 'dm:history', { with: 'bob', limit: 0 }), 'INVALID_PAYLOAD');
  });
});
