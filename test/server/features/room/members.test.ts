import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../../../WorkerRole1/src/shared/protocol.js';
import { chatServerPerSuite } from '../../../helpers/chat-server-per-suite.js';
import { type ChatClient, errorOf, joinRoom, okValue, rawRequest, request, startSession } from '../../../helpers/clients.js';

const caseless = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

async function everyPage(socket: ChatClient, room: string, query: { prefix?: string; limit?: number } = {}): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = okValue(await request(socket, 'room:members', { room, ...query, ...(after ? { after } : {}) }));
    assert.equal(page.room, room);
    pages.push(page.members);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

describe('room:members', () => {
  const { server, unique } = chatServerPerSuite({ eventBurst: 1000, eventRatePerSecond: 1000 });

  /** Fills a room with `count` sessions named `<stem><n>` in mixed case; returns their nicknames. */
  async function fill(room: string, stem: string, count: number): Promise<{ names: string[]; sockets: ChatClient[] }> {
    const names: string[] = [];
    const sockets: ChatClient[] = [];
    for (let n = 0; n < count; n++) {
      const name = `${n % 2 ? stem.toUpperCase() : stem}${n}`;
      const member = await startSession(server.url, name);
      await joinRoom(member.socket, room);
      names.push(member.nickname);
      sockets.push(member.socket);
    }
    return { names, sockets };
  }

  it('pages through a room of 450 in case-insensitive order, every member exactly once', async () => {
    const room = unique('big');
    const { names, sockets } = await fill(room, unique('m'), 450);
    const pages = await everyPage(sockets[0]!, room);
    assert.deepEqual(
      pages.map((page) => page.length),
      [200, 200, 50],
    );
    assert.deepEqual(pages.flat(), [...names].sort(caseless));
  });

  it('answers room:join with the exact count and the first page of members (LIMITS.joinMembersMax), the caller included', async () => {
    const room = unique('first-page');
    const { names } = await fill(room, unique('a'), 120);
    const late = await startSession(server.url, unique('zz-late'));
    const joined = await joinRoom(late.socket, room);
    assert.equal(joined.memberCount, 121);
    assert.equal(joined.members.length, LIMITS.joinMembersMax);
    assert.ok(joined.members.includes(late.nickname), 'the caller is on the first page even though it sorts last');
    assert.deepEqual(joined.members, [...joined.members].sort(caseless));
    assert.deepEqual(joined.members.slice(0, -1), [...names].sort(caseless).slice(0, LIMITS.joinMembersMax - 1));

    assert.ok(joined.next, 'the first page says where the next one starts');
    const rest = okValue(await request(late.socket, 'room:members', { room, after: joined.next }));
    const everyone = [...joined.members.filter((name) => name !== late.nickname), ...rest.members];
    assert.deepEqual(everyone, [...names, late.nickname].sort(caseless), 'the first page and the rest hold every member once');
  });

  it('finds members by a prefix, ignoring case, across pages', async () => {
    const room = unique('search');
    const stem = unique('pre');
    const { names, sockets } = await fill(room, stem, 30);
    const others = await fill(room, unique('other'), 5);
    const pages = await everyPage(others.sockets[0]!, room, { prefix: stem.toUpperCase(), limit: 7 });
    assert.deepEqual(pages.flat(), [...names].sort(caseless));
    assert.ok(pages.every((page) => page.length <= 7));
    const none = okValue(await request(sockets[0]!, 'room:members', { room, prefix: 'nobody-has-this' }));
    assert.deepEqual(none.members, []);
    assert.equal(none.next, undefined);
  });

  it('refuses a room the session is not in, and bad cursors and limits', async () => {
    const room = unique('closed');
    await fill(room, unique('in'), 1);
    const outsider = await startSession(server.url, unique('out'));
    errorOf(await request(outsider.socket, 'room:members', { room }), 'NOT_IN_ROOM');
    await joinRoom(outsider.socket, room);
    errorOf(await rawRequest(outsider.socket, 'room:members', [{ room, limit: LIMITS.membersPageMax + 1 }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(outsider.socket, 'room:members', [{ room, limit: 0 }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(outsider.socket, 'room:members', [{ room, prefix: '' }]), 'INVALID_PAYLOAD');
    errorOf(await rawRequest(outsider.socket, 'room:members', [{ room, after: 7 }]), 'INVALID_PAYLOAD');
  });

  it('counts exactly after leaves and sessions that end', async () => {
    const room = unique('count');
    const { sockets } = await fill(room, unique('c'), 10);
    okValue(await request(sockets[0]!, 'room:leave', { room }));
    okValue(await request(sockets[1]!, 'session:start', { nickname: unique('renamed') }));
    const watcher = await startSession(server.url, unique('watch'));
    assert.equal((await joinRoom(watcher.socket, room)).memberCount, 9);
  });
});
