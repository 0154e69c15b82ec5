import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { io as connect, type Socket } from 'socket.io-client';
import { watchRemoteBroadcasts } from '../../../WorkerRole1/src/server/scale-out/remote-broadcasts.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';

/** Two Socket.IO servers joined by the Redis streams adapter on a real redis-server, each adapter watched. */

let redis: RunningRedisServer;
const closers: Array<() => Promise<unknown>> = [];
const heard: Array<{ server: string; event: unknown; payload: unknown; clientHadIt?: boolean }> = [];
/** The texts west's client has received, in order. */
const received: string[] = [];
let east: Server;
let west: Server;
let westClient: Socket;

async function startServer(name: string): Promise<{ server: Server; url: string }> {
  const client = createClient({ url: redis.url });
  await client.connect();
  const httpServer = createServer();
  const server = new Server(httpServer, {
    adapter: watchRemoteBroadcasts(
      createAdapter(client),
      (event, payload) =>
        heard.push({ server: name, event, payload, ...(name === 'west' ? { clientHadIt: received.includes((payload as { text: string }).text) } : {}) }),
      () => assert.fail('the Redis streams adapter can be watched'),
    ),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    await server.close();
    await client.quit();
  });
  return { server, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

before(async () => {
  redis = await startRedisServer();
  ({ server: east } = await startServer('east'));
  const started = await startServer('west');
  west = started.server;
  west.on('connection', (socket) => void socket.join('room:lobby'));
  westClient = connect(started.url, { transports: ['websocket'] });
  westClient.on('message', (message: { text: string }) => void received.push(message.text));
  await new Promise<void>((resolve) => westClient.once('connect', () => resolve()));
  while ((await west.in('room:lobby').fetchSockets()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
});

after(async () => {
  westClient?.close();
  for (const close of closers) await close();
  await redis?.stop();
});

it("tells an instance of another instance's broadcast before its sockets get it, whether or not it has any, and not of its own or of server-side events", async () => {
  east.serverSideEmit('ping', 1);
  west.to('room:lobby').emit('message', { room: 'lobby', text: 'from west itself' } as never);
  east.to('room:lobby').emit('message', { room: 'lobby', text: 'from east' } as never);
  while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(received.sort(), ['from east', 'from west itself']);
  while (heard.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  // Each server hears the other's broadcast once (east has no socket in the room, and hears it all the same).
  assert.deepEqual(
    heard.sort((a, b) => a.server.localeCompare(b.server)),
    [
      { server: 'east', event: 'message', payload: { room: 'lobby', text: 'from west itself' } },
      { server: 'west', event: 'message', payload: { room: 'lobby', text: 'from east' }, clientHadIt: false },
    ],
  );
});

it('uses an adapter it cannot watch as it is, and says so as the namespace is created', async () => {
  let unwatchable = 0;
  // Not attached to an HTTP server: nothing to close.
  const server = new Server({ adapter: watchRemoteBroadcasts(Adapter, () => assert.fail('nothing to hear'), () => (unwatchable += 1)) });
  assert.equal(unwatchable, 1);
  assert.equal(Object.getPrototypeOf(server.of('/').adapter), Adapter.prototype);
});
