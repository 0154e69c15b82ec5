import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';
import { connectRedis, type RedisClient } from '../../../WorkerRole1/src/server/scale-out/redis-client.js';
import { createRedisStreamsBroadcasts, PUBLISH_DEADLINE_MS } from '../../../WorkerRole1/src/server/scale-out/redis-streams-broadcasts.js';
import { MemorySessionRegistry } from '../../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import { type RunningChatServer, startChatServer } from '../../helpers/chat-server.js';
import { type ChatClient, closeClients, errorOf, joinRoom, newClientId, nextEvent, record, request, sleep, startSession } from '../../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';

/**
 * Two instances joined by the Redis streams adapter on a real redis-server, sharing one in-memory
 * session registry, so that a message's session check passes while Redis fails and the broadcast
 * (one XADD) is what meets the failure.
 */
describe('a room message while the Redis that joins the instances fails', { timeout: 60_000 }, () => {
  const logger = createLogger({ level: 'silent', instanceId: 'test' });
  /** The deadline, its slice and a loaded machine's slack. */
  const ACK_WITHIN_MS = PUBLISH_DEADLINE_MS + 250 + 1500;
  let redis: RunningRedisServer;
  const clients: RedisClient[] = [];
  const servers: RunningChatServer[] = [];
  let rooms = 0;

  before(async () => {
    redis = await startRedisServer();
    const sessions = new MemorySessionRegistry({ presenceIndividualMax: 100 });
    for (const name of ['east', 'west']) {
      const client = await connectRedis({ url: redis.url }, logger, { name, failFast: false });
      clients.push(client);
      servers.push(await startChatServer({}, { sessions, adapter: createRedisStreamsBroadcasts(client) }));
    }
  });
  afterEach(() => closeClients());
  after(async () => {
    for (const server of servers) await server.close();
    for (const client of clients) client.destroy();
    await redis?.stop();
  });

  /** Ann on east, Bea on west, in a fresh room; Bea records what the room sends her. */
  async function twoInstances() {
    const room = `outage-${++rooms}`;
    const [east, west] = servers as [RunningChatServer, RunningChatServer];
    const ann = await startSession(east.url, `ann${rooms}`);
    const bea = await startSession(west.url, `bea${rooms}`);
    await joinRoom(ann.socket, room);
    await joinRoom(bea.socket, room);
    const beaHeard = record(bea.socket, 'message');
    const arrived = nextEvent(bea.socket, 'message', { filter: (message) => message.text === 'before' });
    await request(ann.socket, 'message:send', { room, text: 'before', clientId: newClientId() });
    await arrived;
    return { room, ann: ann.socket, bea: bea.socket, beaHeard };
  }

  /** Sends once, expecting the error ack within the deadline's bound; returns how long it took. */
  async function refusedWithinDeadline(socket: ChatClient, room: string, text: string, clientId: string): Promise<number> {
    const started = performance.now();
    const ack = await request(socket, 'message:send', { room, text, clientId }, ACK_WITHIN_MS);
    const tookMs = performance.now() - started;
    const error = errorOf(ack, 'STORAGE_UNAVAILABLE');
    assert.ok(typeof error.retryAfterMs === 'number' && error.retryAfterMs > 0, 'says when to retry');
    return tookMs;
  }

  /** Resends (same clientId) as a client would, until acked; then a last message flushes Bea's events. */
  async function resendUntilAcked(socket: ChatClient, bea: ChatClient, room: string, text: string, clientId: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ack = await request(socket, 'message:send', { room, text, clientId }, ACK_WITHIN_MS).catch(() => undefined);
      if (ack?.ok) break;
      assert.ok(Date.now() < deadline, `no ok ack for a resend of "${text}" within 15 s of Redis returning`);
      await sleep(200);
    }
    const arrived = nextEvent(bea, 'message', { filter: (message) => message.text === 'after', timeoutMs: 5000 });
    await request(socket, 'message:send', { room, text: 'after', clientId: newClientId() }, 5000);
    await arrived;
  }

  it('answers STORAGE_UNAVAILABLE within the deadline while Redis is down, and once it is back the resend reaches the other instance exactly once', async () => {
    const { room, ann, bea, beaHeard } = await twoInstances();
    const clientId = newClientId();
    await redis.kill();
    let tookMs: number;
    try {
      tookMs = await refusedWithinDeadline(ann, room, 'during', clientId);
    } finally {
      await redis.start();
    }
    assert.ok(tookMs >= PUBLISH_DEADLINE_MS - 50, `refused after ${tookMs.toFixed(0)} ms: it waited for Redis first`);
    await resendUntilAcked(ann, bea, room, 'during', clientId);
    // The refused XADD was withdrawn from the client's queue: nothing of it went out once Redis returned.
    assert.deepEqual(
      beaHeard.map((message) => message.text),
      ['before', 'during', 'after'],
    );
  });

  it('answers STORAGE_UNAVAILABLE within the deadline while Redis is frozen, and once it answers the other instance has the message under one id', async () => {
    const { room, ann, bea, beaHeard } = await twoInstances();
    const clientId = newClientId();
    redis.pause();
    try {
      await refusedWithinDeadline(ann, room, 'frozen', clientId);
    } finally {
      redis.resume();
    }
    await resendUntilAcked(ann, bea, room, 'frozen', clientId);
    // The XADD written before the freeze is applied when Redis wakes, and the resend delivers the
    // first copy again: a client drops the second by its id (docs/protocol.md), so one message.
    const frozen = beaHeard.filter((message) => message.text === 'frozen');
    assert.ok(frozen.length >= 1, 'the message reached the other instance');
    assert.equal(new Set(frozen.map((message) => message.id)).size, 1, 'every copy has the same id');
    assert.deepEqual(
      [...new Set(beaHeard.map((message) => message.text))],
      ['before', 'frozen', 'after'],
    );
  });

  it('when Redis goes down with a disconnected socket\'s session on its way there, only Socket.IO\'s own recovery is lost: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { socket } = await startSession(servers[0]!.url, `cal${++rooms}`);
      const serverSide = servers[0]!.server.io.sockets.sockets.get(socket.id!)!;
      redis.pause();
      // A transport that closes is a disconnect Socket.IO may recover: before 'disconnect' the
      // adapter has sent the socket's session to Redis (a SET), which does not answer.
      const disconnected = once(serverSide, 'disconnect');
      socket.io.engine.close();
      await disconnected;
      // Redis dies with the SET on the connection: node-redis fails it, then reports the error.
      const connectionLost = once(clients[0]!, 'error');
      await redis.kill();
      await connectionLost;
      // Unhandled rejections are reported once the microtasks of the turn have run.
      await new Promise((resolve) => setImmediate(resolve));
      await redis.start();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
