import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ChatCluster, startChatCluster } from '../helpers/chat-cluster.js';
import {
  type ChatClient,
  closeClients,
  createClient,
  errorOf,
  newClientId,
  okValue,
  request,
  sleep,
  waitForConnect,
} from '../helpers/clients.js';
import { type RunningRedisServer, startRedisServer } from '../helpers/redis-server.js';
import { createRandom } from '../helpers/seeded-random.js';

/**
 * Two instances sharing a real redis-server, driven through a seeded random sequence of starts,
 * joins, leaves, extra tabs, disconnects, reconnects with the token and kill -9 of an instance.
 * The test keeps the ground truth of who is in which room and compares the membership index
 * (room:members pages, memberCount) and the real sockets (who receives a room's message) with it.
 */

const SEED = 20261201;
const STEPS = 260;
const GRACE_MS = 1200;
const LEASE_MS = 2000;
const RENEW_EVERY_MS = LEASE_MS / 4.5;
const ROOMS = ['r0', 'r1', 'r2', 'r3'];
const NAMES = ['Ann', 'bob', 'Cleo', 'dan', 'Émile', 'fay', 'Gus', 'hal', 'Ivy', 'jo', 'KIM', 'lee', 'Mo', 'ned'];

interface Tab {
  socket: ChatClient;
  instance: number;
  messages: string[];
}

interface User {
  name: string;
  token?: string;
  /** The rooms of the session, as the user's own actions made them. */
  rooms: Set<string>;
  tabs: Tab[];
  /** Every tab closed: the session ends after the grace period (or the lease, if its instance died). */
  away: boolean;
}


const byKey = (a: string, b: string) => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
};

let redis: RunningRedisServer;
let cluster: ChatCluster;

before(async () => {
  redis = await startRedisServer();
  cluster = await startChatCluster(2, {
    REDIS_URL: redis.url,
    SESSION_GRACE_MS: String(GRACE_MS),
    SESSION_LEASE_MS: String(LEASE_MS),
    PRESENCE_INDIVIDUAL_MAX: '4',
    PRESENCE_INTERVAL_MS: '200',
    EVENT_RATE_PER_SECOND: '1000',
    EVENT_BURST: '1000',
  });
});

after(async () => {
  closeClients();
  await cluster?.stop();
  await redis?.stop();
});

test('the membership index matches the ground truth and the real sockets after a random sequence on two instances', async (t) => {
  try {
    await randomSequence();
  } catch (error) {
    // What the instances said that bears on sessions, so that a failure says why a session ended.
    for (const instance of cluster.instances) {
      const notable = instance.logs.filter((line) => Number(line.level) >= 40 || line.msg === 'session ended' || line.code === 'NO_SESSION');
      t.diagnostic(`${instance.id}, last notable log lines:\n${notable.slice(-30).map((line) => JSON.stringify(line)).join('\n')}`);
    }
    throw error;
  }
});

async function randomSequence(): Promise<void> {
  const rng = createRandom(SEED);
  const alive = [true, true];
  const users: User[] = NAMES.map((name) => ({ name, rooms: new Set(), tabs: [], away: false }));
  const counts: Record<string, number> = {};
  const count = (action: string) => (counts[action] = (counts[action] ?? 0) + 1);

  async function open(user: User, instance: number): Promise<{ tab: Tab; ack: { session: string; rooms: Array<{ room: string }> } }> {
    const socket = createClient(cluster.instances[instance]!.url);
    const tab: Tab = { socket, instance, messages: [] };
    socket.on('message', (message) => tab.messages.push(message.text));
    await waitForConnect(socket);
    const payload = user.token === undefined ? { nickname: user.name } : { nickname: user.name, session: user.token };
    const ack = okValue(await request(socket, 'session:start', payload));
    user.tabs.push(tab);
    return { tab, ack };
  }

  /** A tab of a live session: the session goes on, with the rooms the user put it in. */
  async function resume(user: User, instance: number, why: string): Promise<void> {
    const { ack } = await open(user, instance);
    assert.equal(ack.session, user.token, `${user.name} resumed (${why})`);
    assert.deepEqual(ack.rooms.map((room) => room.room).sort(), [...user.rooms].sort(), `${user.name}'s rooms (${why})`);
  }

  async function closeTab(user: User, tab: Tab): Promise<void> {
    user.tabs.splice(user.tabs.indexOf(tab), 1);
    tab.socket.close();
  }

  const liveInstance = () => rng.pick([0, 1].filter((index) => alive[index]));
  const connected = () => users.filter((user) => user.tabs.length > 0);
  let crashes = 0;

  for (let step = 0; step < STEPS; step += 1) {
    const roll = rng.next();
    const idle = users.filter((user) => user.token === undefined);
    const away = users.filter((user) => user.away);
    const online = connected();
    if (roll < 0.08 && idle.length > 0) {
      count('start');
      const user = rng.pick(idle);
      const { ack } = await open(user, liveInstance());
      user.token = ack.session;
      assert.deepEqual(ack.rooms, []);
    } else if (roll < 0.38 && online.length > 0) {
      count('join');
      const user = rng.pick(online);
      const room = rng.pick(ROOMS);
      okValue(await request(rng.pick(user.tabs).socket, 'room:join', { room }));
      user.rooms.add(room);
    } else if (roll < 0.55 && online.length > 0) {
      const user = rng.pick(online);
      const room = rng.pick(ROOMS);
      const ack = await request(rng.pick(user.tabs).socket, 'room:leave', { room });
      if (user.rooms.delete(room)) {
        count('leave');
        okValue(ack);
      } else {
        count('leave refused');
        errorOf(ack, 'NOT_IN_ROOM');
      }
    } else if (roll < 0.62 && online.length > 0) {
      count('another tab');
      await resume(rng.pick(online), liveInstance(), 'another tab');
    } else if (roll < 0.74 && online.length > 0) {
      const user = rng.pick(online);
      await closeTab(user, rng.pick(user.tabs));
      if (user.tabs.length === 0) user.away = true;
      count(user.away ? 'disconnect' : 'close a tab');
    } else if (roll < 0.84 && online.length > 0) {
      count('blip');
      const user = rng.pick(online);
      await closeTab(user, rng.pick(user.tabs));
      await resume(user, liveInstance(), 'reconnect within the grace period');
    } else if (roll >= 0.84 && roll < 0.87) {
      count('pause');
      // Long enough for the grace periods running now to end, so that some returns come too late.
      await sleep(GRACE_MS * 1.2);
    } else if (roll < 0.97 && away.length > 0) {
      const user = rng.pick(away);
      const { ack } = await open(user, liveInstance());
      user.away = false;
      if (ack.session === user.token) {
        count('return in time');
        assert.deepEqual(ack.rooms.map((room) => room.room).sort(), [...user.rooms].sort(), `${user.name}'s rooms on return`);
      } else {
        count('return too late');
        assert.deepEqual(ack.rooms, [], 'a new session starts in no room');
        user.token = ack.session;
        user.rooms.clear();
      }
    } else if (roll >= 0.97 && crashes < 2 && alive.every(Boolean)) {
      count('kill -9');
      crashes += 1;
      const victim = rng.pick([0, 1]);
      alive[victim] = false;
      await cluster.kill(victim);
      // Their clients reconnect to the survivor with their token, long before the lease runs out.
      for (const user of connected()) {
        const lost = user.tabs.filter((tab) => tab.instance === victim);
        for (const tab of lost) await closeTab(user, tab);
        if (lost.length > 0 && user.tabs.length === 0) await resume(user, 1 - victim, 'failover after kill -9');
      }
      await cluster.restart(victim);
      alive[victim] = true;
    }
  }

  // Away sessions end: after the grace period on a live instance, after the lease on a killed one.
  await sleep(Math.max(GRACE_MS, LEASE_MS) + 3 * RENEW_EVERY_MS + 500);
  const observers: User[] = [0, 1].map((instance) => ({ name: `zz-observer${instance}`, rooms: new Set(), tabs: [], away: false }));
  for (const [instance, observer] of observers.entries()) {
    const { ack } = await open(observer, instance);
    observer.token = ack.session;
    for (const room of ROOMS) {
      okValue(await request(observer.tabs[0]!.socket, 'room:join', { room }));
      observer.rooms.add(room);
    }
  }
  console.log(`seed ${SEED}: ${JSON.stringify(counts)}`);

  const present = [...connected(), ...observers];
  for (const room of ROOMS) {
    const expected = present.filter((user) => user.rooms.has(room)).map((user) => user.name).sort(byKey);
    for (const [instance, observer] of observers.entries()) {
      const socket = observer.tabs[0]!.socket;
      const joined = okValue(await request(socket, 'room:join', { room }));
      assert.equal(joined.memberCount, expected.length, `memberCount of ${room} on instance ${instance}`);
      assert.deepEqual(joined.members, expected, `first page of ${room} on instance ${instance}`);
      const paged: string[] = [];
      let after: string | undefined;
      do {
        const page = okValue(await request(socket, 'room:members', { room, limit: 3, ...(after === undefined ? {} : { after }) }));
        paged.push(...page.members);
        after = page.next;
      } while (after !== undefined);
      assert.deepEqual(paged, expected, `room:members pages of ${room} on instance ${instance}`);
    }
  }

  // The real sockets: a room's message reaches every tab of its members, and nobody else.
  const texts = new Map<string, string>();
  for (const room of ROOMS) {
    const text = `check ${room}`;
    texts.set(room, text);
    okValue(await request(observers[0]!.tabs[0]!.socket, 'message:send', { room, text, clientId: newClientId() }));
  }
  await sleep(500);
  for (const user of present) {
    for (const tab of user.tabs) {
      const received = ROOMS.filter((room) => tab.messages.includes(texts.get(room)!));
      assert.deepEqual(received, ROOMS.filter((room) => user.rooms.has(room)), `rooms whose message ${user.name}'s tab on ${tab.instance} got`);
    }
  }
}
