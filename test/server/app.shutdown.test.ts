import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ChatServer, createChatServer } from '../../WorkerRole1/src/server/app.js';
import { type Config, loadConfig } from '../../WorkerRole1/src/server/config/load-config.js';
import { MemoryHistoryStore } from '../../WorkerRole1/src/server/history/memory-history-store.js';
import { createLogger } from '../../WorkerRole1/src/server/logger.js';
import { MemorySessionRegistry } from '../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import {
  closeClients,
  errorOf,
  expectConnectError,
  joinRoom,
  nextDisconnect,
  nextEvent,
  okValue,
  request,
  startSession,
} from '../helpers/clients.js';

/** The in-memory store, except that appends wait until the test lets them through. */
class GatedHistoryStore extends MemoryHistoryStore {
  private release: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private onStarted: (() => void) | undefined;
  /** Resolves when an append is waiting at the gate. */
  started: Promise<void> = Promise.resolve();

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
    this.started = new Promise((resolve) => (this.onStarted = resolve));
  }

  open(): void {
    this.release?.();
  }

  override async append(...args: Parameters<MemoryHistoryStore['append']>): ReturnType<MemoryHistoryStore['append']> {
    this.onStarted?.();
    await this.gate;
    return super.append(...args);
  }
}

interface Running {
  url: string;
  server: ChatServer;
  history: GatedHistoryStore;
}

async function startGated(overrides: Partial<Config> = {}): Promise<Running> {
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', INSTANCE_ID: 'drain-test' }),
    port: 0,
    host: '127.0.0.1',
    ...overrides,
  };
  const history = new GatedHistoryStore(config.historyMaxPerRoom);
  const server = createChatServer(config, {
    logger: createLogger({ level: config.logLevel, instanceId: config.instanceId }),
    history,
    sessions: new MemorySessionRegistry({ presenceIndividualMax: config.presenceIndividualMax }),
    publicDir: fileURLToPath(new URL('../../WorkerRole1/dist/public/', import.meta.url)),
  });
  const { port } = await server.listen();
  return { url: `http://127.0.0.1:${port}`, server, history };
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('graceful shutdown (ChatServer.close)', () => {
  let running: Running | undefined;

  afterEach(async () => {
    running?.history.open();
    closeClients();
    await running?.server.close();
    running = undefined;
  });

  it('drains: health 503, server:draining to every socket, no new connections or events, and waits for the event in flight', async () => {
    running = await startGated({ shutdownTimeoutMs: 5000 });
    const { url, server, history } = running;
    const alice = await startSession(url, 'alice');
    const aliceTab2 = await startSession(url, 'alice', { session: alice.session });
    const bob = await startSession(url, 'bob');
    const carol = await startSession(url, 'carol');
    await joinRoom(alice.socket, 'lobby');
    await joinRoom(bob.socket, 'lobby');
    assert.equal((await health(url)).status, 200);

    history.hold();
    void request(alice.socket, 'message:send', { room: 'lobby', text: 'sent just before the end', clientId: 'last' }, 8000).catch(() => undefined);
    await history.started;

    const drained = [alice.socket, aliceTab2.socket, bob.socket, carol.socket].map((socket) => nextEvent(socket, 'server:draining'));
    let closed = false;
    const closing = server.close().then(() => (closed = true));

    for (const event of await Promise.all(drained)) assert.deepEqual(event, {});

    const draining = await health(url);
    assert.equal(draining.status, 503);
    assert.equal(draining.body.status, 'draining');

    await expectConnectError(url);
    errorOf(await request(bob.socket, 'history:fetch', { room: 'lobby' }), 'SERVER_DRAINING');
    errorOf(await request(bob.socket, 'message:send', { room: 'lobby', text: 'too late', clientId: 'late' }), 'SERVER_DRAINING');
    errorOf(await request(carol.socket, 'session:start', { nickname: 'carol2' }), 'SERVER_DRAINING');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed, false, 'close() must wait for the event in flight');

    const disconnected = nextDisconnect(bob.socket, 5000);
    history.open();
    await closing;
    assert.match(await disconnected, /io server disconnect|transport close/);
  });

  it(
    'delivers the ack of a message:send that was in flight when the drain began',
    async () => {
      running = await startGated({ shutdownTimeoutMs: 5000 });
      const { url, server, history } = running;
      const alice = await startSession(url, 'alice');
      const bob = await startSession(url, 'bob');
      await joinRoom(alice.socket, 'lobby');
      await joinRoom(bob.socket, 'lobby');

      history.hold();
      const inFlight = request(alice.socket, 'message:send', { room: 'lobby', text: 'sent just before the end', clientId: 'last' }, 8000);
      await history.started;
      const closing = server.close();
      await nextEvent(alice.socket, 'server:draining');
      history.open();
      const ack = okValue(await inFlight);
      assert.equal(ack.message.text, 'sent just before the end');
      await closing;
    },
  );

  it('closes after SHUTDOWN_TIMEOUT_MS when an event never finishes', async () => {
    running = await startGated({ shutdownTimeoutMs: 300 });
    const { url, server, history } = running;
    const alice = await startSession(url, 'alice');
    await joinRoom(alice.socket, 'lobby');
    history.hold();
    void request(alice.socket, 'message:send', { room: 'lobby', text: 'stuck', clientId: 'stuck' }, 5000).catch(() => undefined);
    await history.started;

    const startedAt = Date.now();
    await server.close();
    const elapsed = Date.now() - startedAt;
    assert.ok(elapsed >= 250, `closed after ${elapsed} ms, before the timeout`);
    assert.ok(elapsed < 2000, `closed after ${elapsed} ms`);
  });

  it('closes at once when nothing is in flight, telling the clients before disconnecting them', async () => {
    running = await startGated();
    const { url, server } = running;
    const alice = await startSession(url, 'alice');
    const order: string[] = [];
    alice.socket.on('server:draining', () => order.push('server:draining'));
    const disconnected = nextDisconnect(alice.socket).then(() => order.push('disconnect'));
    const startedAt = Date.now();
    await server.close();
    await disconnected;
    assert.ok(Date.now() - startedAt < 1000);
    assert.deepEqual(order, ['server:draining', 'disconnect']);
  });
});
