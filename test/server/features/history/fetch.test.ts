import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ChatMessage } from '../../../../WorkerRole1/src/shared/protocol.js';
import { type RunningChatServer, startChatServer } from '../../../helpers/chat-server.js';
import {
  type ChatClient,
  closeClients,
  errorOf,
  joinRoom,
  okValue,
  rawRequest,
  request,
  sendMessage,
  startSession,
} from '../../../helpers/clients.js';

describe('history:fetch', () => {
  let server: RunningChatServer;
  let reader: ChatClient;
  const room = 'archive';
  const sent: ChatMessage[] = [];
  const texts = (messages: ChatMessage[]) => messages.map((message) => message.text);

  before(async () => {
    server = await startChatServer({ messageBurst: 500, eventBurst: 1000 });
    const writer = await startSession(server.url, 'writer');
    await joinRoom(writer.socket, room);
    await joinRoom(writer.socket, 'other-room');
    for (let i = 0; i < 120; i++) sent.push(await sendMessage(writer.socket, room, `m${i}`));
    await sendMessage(writer.socket, 'other-room', 'not in the archive');
    reader = (await startSession(server.url, 'reader')).socket;
    await joinRoom(reader, room);
  });
  after(async () => {
    closeClients();
    await server.close();
  });

  async function fetchTexts(query: { before?: string; after?: string; limit?: number }) {
    return texts(okValue(await request(reader, 'history:fetch', { room, ...query })).messages);
  }
  const range = (from: number, to: number) => sent.slice(from, to).map((message) => message.text);

  it('returns the newest 50 messages, oldest first, by default', async () => {
    const { messages } = okValue(await request(reader, 'history:fetch', { room }));
    assert.deepEqual(messages, sent.slice(-50));
  });

  it('returns at most `limit` messages, from 1 up to 100', async () => {
    assert.deepEqual(await fetchTexts({ limit: 1 }), ['m119']);
    assert.deepEqual(await fetchTexts({ limit: 100 }), range(20, 120));
  });

  for (const [what, limit] of [
    ['0', 0],
    ['101', 101],
    ['-5', -5],
    ['2.5', 2.5],
    ['"10" (a string)', '10'],
    ['null', null],
  ] as const) {
    it(`answers INVALID_PAYLOAD for a limit of ${what}`, async () => {
      errorOf(await rawRequest(reader, 'history:fetch', [{ room, limit }]), 'INVALID_PAYLOAD');
    });
  }

  it('pages back with `before`: the newest messages older than the cursor, oldest first', async () => {
    assert.deepEqual(await fetchTexts({ before: sent[100]!.id, limit: 10 }), range(90, 100));
    assert.deepEqual(await fetchTexts({ before: sent[5]!.id, limit: 10 }), range(0, 5));
    assert.deepEqual(await fetchTexts({ before: sent[0]!.id }), []);
  });

  it('pages forward with `after`: the oldest messages newer than the cursor first', async () => {
    assert.deepEqual(await fetchTexts({ after: sent[9]!.id, limit: 5 }), range(10, 15));
    assert.deepEqual(await fetchTexts({ after: sent[114]!.id, limit: 50 }), range(115, 120));
    assert.deepEqual(await fetchTexts({ after: sent[119]!.id }), []);
  });

  it('walks the whole history forward without gaps or duplicates', async () => {
    const seen: string[] = [];
    let cursor = '00000000000000000000000000';
    for (;;) {
      const { messages } = okValue(await request(reader, 'history:fetch', { room, after: cursor, limit: 33 }));
      if (messages.length === 0) break;
      seen.push(...texts(messages));
      cursor = messages.at(-1)!.id;
    }
    assert.deepEqual(seen, range(0, 120));
  });

  it('combines `after` and `before` into a window', async () => {
    assert.deepEqual(await fetchTexts({ after: sent[10]!.id, before: sent[14]!.id }), range(11, 14));
  });

  it('gives a reconnecting client exactly what it missed after the last id it saw', async () => {
    const writer = (await startSession(server.url, 'late-writer')).socket;
    await joinRoom(writer, room);
    const lastSeen = (await fetchTexts({ limit: 1 }))[0];
    assert.equal(lastSeen, sent.at(-1)!.text);
    const missed = [await sendMessage(writer, room, 'missed 1'), await sendMessage(writer, room, 'missed 2')];
    const { messages } = okValue(await request(reader, 'history:fetch', { room, after: sent.at(-1)!.id }));
    assert.deepEqual(messages, missed);
    sent.push(...missed);
  });

  it('answers NOT_IN_ROOM for a room the session has not joined', async () => {
    errorOf(await request(reader, 'history:fetch', { room: 'other-room' }), 'NOT_IN_ROOM');
  });

  it('answers INVALID_ROOM for an invalid room name', async () => {
    errorOf(await request(reader, 'history:fetch', { room: 'Archive!' }), 'INVALID_ROOM');
  });

  it('answers INVALID_PAYLOAD for a cursor that is not a message id, or an extra field', async () => {
    errorOf(await request(reader, 'history:fetch', { room, before: 'yesterday' }), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(reader, 'history:fetch', [{ room, after: 12345 }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(reader, 'history:fetch', [{ room, since: sent[0]!.id }]), 'INVALID_PAYLOAD');
  });
});
