import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { developmentStorageConnectionString } from '../../scripts/emulator/development-storage.js';
import type { Connection } from '../../WorkerRole1/src/client/connection.js';
import { Rooms } from '../../WorkerRole1/src/client/rooms.js';
import { Store } from '../../WorkerRole1/src/client/state/store.js';
import type { ChatMessage } from '../../WorkerRole1/src/shared/protocol.js';
import { type RunningAzurite, startAzurite } from '../helpers/azurite.js';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import { type ChatClient, closeClients, connectClient, joinRoom, newClientId, nextEvent, okValue, request, sendMessage, startSession } from '../helpers/clients.js';
import { type DelayingProxy, startDelayingProxy } from '../helpers/delaying-proxy.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';

/** Long enough that the message is certainly not stored while Carol reads the room in between. */
const SLOW_STORAGE_MS = 4000;
const ROOM = 'late';

let redis: RunningRedisServer;
let azurite: RunningAzurite;
let eastStorage: DelayingProxy;
let cluster: ChatCluster;

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  eastStorage = await startDelayingProxy(azurite.port);
  // Two instances, one Redis and one table; east reaches the table through a link that can turn slow.
  cluster = await startChatCluster(
    2,
    { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: 'catchuptest' },
    { instanceEnv: [{ STORAGE_CONNECTION_STRING: developmentStorageConnectionString(eastStorage.port) }] },
  );
});

after(async () => {
  closeClients();
  await cluster?.stop();
  await eastStorage?.close();
  await Promise.all([redis?.stop(), azurite?.dispose()]);
});

/**
 * A browser as far as history goes: the client's own Store and Rooms over a socket.io-client
 * socket; a reconnect is a new socket that resumes the session, as after a dropped connection
 * (a client-side disconnect leaves nothing for Socket.IO's connection state recovery to replay).
 */
class Browser {
  readonly store = new Store();
  socket!: ChatClient;
  /** Every live `message` of every socket this browser had. */
  readonly heardLive: ChatMessage[] = [];
  private token = '';
  private readonly rooms = new Rooms(this.store, { call: (event: never, payload: never) => request(this.socket, event, payload) } as unknown as Connection);

  constructor(
    private readonly url: string,
    private readonly nickname: string,
  ) {
    this.store.me = nickname;
  }

  get conversation() {
    return this.store.room(ROOM);
  }

  async join(): Promise<void> {
    await this.connect();
    assert.equal(await this.rooms.join(ROOM), null);
  }

  /** A new connection that resumes the session, and the room's catch-up the client makes then. */
  async reconnect(): Promise<void> {
    const rooms = await this.connect();
    const resumed = rooms.find((summary) => summary.room === ROOM);
    assert.ok(resumed, 'the session is still in the room');
    assert.equal(await this.rooms.resume(this.conversation, resumed.memberCount), null);
  }

  disconnect(): void {
    this.socket.disconnect();
  }

  private async connect() {
    this.socket = await connectClient(this.url);
    this.socket.on('message', (message) => this.heardLive.push(message));
    const payload = this.token ? { nickname: this.nickname, session: this.token } : { nickname: this.nickname };
    const started = okValue(await request(this.socket, 'session:start', payload));
    this.token = started.session;
    return started.rooms;
  }
}

test('a browser that saw a message stored before an older one resumes with both, once each, after the older one lands', async () => {
  const [east, west] = cluster.instances.map((instance) => instance.url) as [string, string];
  const alice = await startSession(east, 'alice');
  const bob = await startSession(west, 'bob');
  await Promise.all([joinRoom(alice.socket, ROOM), joinRoom(bob.socket, ROOM)]);
  const carol = new Browser(west, 'carol');
  await carol.join();
  carol.disconnect();

  // Alice's message gets its id now, on east, whose storage turns slow: the room hears it live
  // 250 ms later, stored or not. Bob's, with a later id, is stored by west at once.
  eastStorage.delayMs = SLOW_STORAGE_MS;
  const lateSend = request(alice.socket, 'message:send', { room: ROOM, text: 'stored late', clientId: newClientId() }, SLOW_STORAGE_MS * 3);
  const late = await nextEvent(bob.socket, 'message', { timeoutMs: SLOW_STORAGE_MS });
  eastStorage.delayMs = 0;
  const first = await sendMessage(bob.socket, ROOM, 'stored first');
  assert.ok(first.id > late.id, 'the message stored first has the later id');

  // Carol comes back while Alice's message is still on its way to storage: she reads Bob's only.
  await carol.reconnect();
  assert.deepEqual(
    carol.conversation.messages.map((message) => message.text),
    ['stored first'],
    'precondition: the late message was not stored yet when Carol read the room',
  );
  carol.disconnect();
  const stored = okValue(await lateSend).message;
  assert.equal(stored.id, late.id);

  await carol.reconnect();

  assert.deepEqual(
    carol.conversation.messages.map((message) => [message.id, message.text]),
    [
      [late.id, 'stored late'],
      [first.id, 'stored first'],
    ],
  );
  assert.equal(carol.conversation.unread, 1, 'only the message she had not seen counts as unread');
  assert.deepEqual(carol.heardLive, [], 'Carol was away for every live delivery: the catch-up alone brought them');
});
