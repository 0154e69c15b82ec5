import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import {
  type ChatClient,
  flush,
  joinRoom,
  nextEvent,
  okValue,
  record,
  request,
  sleep,
  startSession,
} from '../../../helpers/clients.js';

const INDIVIDUAL_MAX = 5;
const INTERVAL_MS = 300;

describe('presence in large rooms', () => {
  const { server, unique } = chatServerPerSuite({
    presenceIndividualMax: INDIVIDUAL_MAX,
    presenceIntervalMs: INTERVAL_MS,
    eventBurst: 1000,
    eventRatePerSecond: 1000,
  });

  async function members(room: string, count: number, stem = unique('p')): Promise<ChatClient[]> {
    const sockets: ChatClient[] = [];
    for (let n = 0; n < count; n++) {
      const member = await startSession(server.url, `${stem}${n}`);
      await joinRoom(member.socket, room);
      sockets.push(member.socket);
    }
    return sockets;
  }

  it('announces each join and leave up to the threshold, then coalesces them into room:presence', async () => {
    const room = unique('grows');
    const [watcher, ...others] = await members(room, INDIVIDUAL_MAX);
    assert.ok(watcher);
    const joinedAlone = record(watcher, 'user:joined');
    const presence = record(watcher, 'room:presence');

    const sixth = await startSession(server.url, unique('sixth'));
    await joinRoom(sixth.socket, room);
    const batch = await nextEvent(watcher, 'room:presence', { timeoutMs: INTERVAL_MS * 4 });
    assert.deepEqual(batch, { room, joined: [sixth.nickname], left: [], count: INDIVIDUAL_MAX + 1 });
    assert.deepEqual(joinedAlone, [], 'a join that makes the room large is not announced on its own');

    const leaveBatch = nextEvent(watcher, 'room:presence', { timeoutMs: INTERVAL_MS * 10 });
    okValue(await request(others[0]!, 'room:leave', { room }));
    assert.equal((await leaveBatch).count, INDIVIDUAL_MAX);
    await flush(watcher);
    assert.equal(presence.length, 2);
    assert.equal(presence[1]!.left.length, 1, 'leaving a room of six is coalesced too');

    const left = nextEvent(watcher, 'user:left');
    okValue(await request(others[1]!, 'room:leave', { room }));
    assert.equal((await left).count, INDIVIDUAL_MAX - 1, 'back at the threshold, each leave is announced again');
  });

  it('sends at most one room:presence per interval for a burst of joins, with the exact count', async () => {
    const room = unique('burst');
    const [watcher] = await members(room, INDIVIDUAL_MAX + 1);
    assert.ok(watcher);
    await sleep(INTERVAL_MS * 2);
    const presence = record(watcher, 'room:presence');
    const startedAt = Date.now();
    await members(room, 40);
    await sleep(INTERVAL_MS * 3);
    await flush(watcher);
    const elapsed = Date.now() - startedAt;
    assert.ok(presence.length >= 1, 'the joins were announced');
    assert.ok(presence.length <= Math.ceil(elapsed / INTERVAL_MS) + 1, `${presence.length} room:presence in ${elapsed} ms`);
    assert.equal(presence.flatMap((event) => event.joined).length, 40, 'every join is named once');
    assert.equal(presence.at(-1)!.count, INDIVIDUAL_MAX + 1 + 40);
  });

  it('names neither someone who joined and left between two room:presence', async () => {
    const room = unique('brief');
    const [watcher] = await members(room, INDIVIDUAL_MAX + 1);
    assert.ok(watcher);
    await sleep(INTERVAL_MS * 2);
    const presence = record(watcher, 'room:presence');
    // Sessions first, so that the join, the leave and the other join fit well inside one interval.
    const brief = (await startSession(server.url, unique('brief'))).socket;
    const stays = (await startSession(server.url, unique('stays'))).socket;
    const batch = nextEvent(watcher, 'room:presence', { timeoutMs: INTERVAL_MS * 10 });
    await joinRoom(brief, room);
    okValue(await request(brief, 'room:leave', { room }));
    await joinRoom(stays, room);
    await batch;
    await sleep(INTERVAL_MS * 2);
    await flush(watcher);
    assert.equal(presence.length, 1);
    assert.equal(presence[0]!.joined.length, 1);
    assert.deepEqual(presence[0]!.left, []);
  });
});

describe('session:start resuming a session', () => {
  const { server, unique } = chatServerPerSuite({ eventBurst: 1000, eventRatePerSecond: 1000 });

  it('puts a new socket back into every room of the session and answers with their member counts', async () => {
    const alice = await startSession(server.url, unique('alice'));
    const bob = await startSession(server.url, unique('bob'));
    const [lobby, games] = [unique('lobby'), unique('games')];
    await joinRoom(alice.socket, lobby);
    await joinRoom(alice.socket, games);
    await joinRoom(bob.socket, games);

    const again = await startSession(server.url, alice.nickname, { session: alice.session });
    const fresh = okValue(await request(again.socket, 'session:start', { nickname: alice.nickname, session: alice.session }));
    assert.deepEqual(fresh.rooms, [
      { room: lobby, memberCount: 1 },
      { room: games, memberCount: 2 },
    ]);

    const delivered = nextEvent(again.socket, 'message');
    okValue(await request(bob.socket, 'message:send', { room: games, text: 'no room:join needed', clientId: unique('m') }));
    assert.equal((await delivered).text, 'no room:join needed');
  });

  it('answers a new session with no rooms', async () => {
    const socket = (await startSession(server.url, unique('new'))).socket;
    const again = okValue(await request(socket, 'session:start', { nickname: unique('other') }));
    assert.deepEqual(again.rooms, []);
  });
});
