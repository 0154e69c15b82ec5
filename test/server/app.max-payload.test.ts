import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatServerPerTest } from '../helpers/chat-server-per-suite.js';
import {
  type ChatClient,
  connectClient,
  errorOf,
  joinRoom,
  nextDisconnect,
  nextEvent,
  okValue,
  rawEmit,
  rawRequest,
  request,
  sendMessage,
  startSession,
} from '../helpers/clients.js';

/**
 * maxHttpBufferSize: a payload over MAX_PAYLOAD_BYTES makes the server close that connection (on
 * either transport) without harming anyone else.
 */
describe('oversized payloads', () => {
  const serve = chatServerPerTest();

  it('defaults to a limit sized for chat: tens of KiB, not 1 MB', async () => {
    const { config } = await serve();
    assert.ok(config.maxPayloadBytes >= 8 * 1024 && config.maxPayloadBytes <= 128 * 1024, `${config.maxPayloadBytes} bytes`);
  });

  async function assertStillServing(url: string, bystander: ChatClient, room: string) {
    // The bystander connected before is served...
    const delivered = nextEvent(bystander, 'message');
    const newcomer = await startSession(url, `newcomer${Date.now() % 100000}`);
    await joinRoom(newcomer.socket, room);
    // ...and so is a newcomer.
    const sent = await sendMessage(newcomer.socket, room, 'still here');
    assert.equal((await delivered).id, sent.id);
  }

  for (const transport of ['websocket', 'polling'] as const) {
    it(`closes a ${transport} connection that sends a text payload over the limit, and keeps serving others`, async () => {
      const { url, config } = await serve({ maxPayloadBytes: 4096 });
      const bystander = await startSession(url, 'bystander');
      await joinRoom(bystander.socket, 'lobby');
      const big = await startSession(url, 'big', { client: { transports: [transport] } });
      await joinRoom(big.socket, 'lobby');

      const closed = nextDisconnect(big.socket, 5000);
      const answer = rawRequest(big.socket, 'message:send', [{ room: 'lobby', text: 'x'.repeat(config.maxPayloadBytes + 100), clientId: 'big' }], 3000);
      const reason = await closed;
      assert.match(reason, /transport (close|error)/);
      await assert.rejects(answer, 'no ack for the oversized event');
      await assertStillServing(url, bystander.socket, 'lobby');
    });

    it(`closes a ${transport} connection that sends a binary attachment over the limit`, async () => {
      const { url, config } = await serve({ maxPayloadBytes: 4096 });
      const bystander = await startSession(url, 'bystander');
      await joinRoom(bystander.socket, 'lobby');
      const big = await connectClient(url, { transports: [transport] });
      const closed = nextDisconnect(big, 5000);
      rawEmit(big, 'session:start', { nickname: Buffer.alloc(config.maxPayloadBytes + 100, 0x61) });
      assert.match(await closed, /transport (close|error)/);
      await assertStillServing(url, bystander.socket, 'lobby');
    });
  }

  it('answers a payload just under the limit normally', async () => {
    const { url, config } = await serve({ maxPayloadBytes: 4096 });
    const alice = await startSession(url, 'alice');
    await joinRoom(alice.socket, 'lobby');
    // About 3.5 KiB of JSON: under the transport limit, over the 2000-character message limit.
    const text = 'y'.repeat(config.maxPayloadBytes - 600);
    errorOf(await request(alice.socket, 'message:send', { room: 'lobby', text, clientId: 'near' }), 'INVALID_MESSAGE');
    assert.ok(alice.socket.connected);
    okValue(await request(alice.socket, 'message:send', { room: 'lobby', text: 'small', clientId: 'small' }));
  });

  it('closes the connection with the default limit for a 64 KiB payload', async () => {
    const { url } = await serve();
    const alice = await startSession(url, 'alice');
    const closed = nextDisconnect(alice.socket, 5000);
    rawEmit(alice.socket, 'room:join', { room: 'z'.repeat(64 * 1024) });
    assert.match(await closed, /transport (close|error)/);
  });
});
