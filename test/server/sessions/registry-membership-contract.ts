import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allMembers, byKey, DEFAULTS, type RegistryTarget, populate, rooms, won } from './registry-contract-helpers.js';

/** Claims, rooms, member pages and counts: what every session registry does alike. */
export function membershipContract(target: RegistryTarget): void {
  const pair = (options = DEFAULTS) => target.pair(options);

  describe('claims', () => {
    it('claims a free nickname with a fresh 32-character token and no rooms', async () => {
      const [east] = await pair();
      const first = await east.take('Alice');
      assert.equal(first.resumed, false);
      assert.equal(first.replaced, undefined);
      assert.deepEqual(first.session.nickname, 'Alice');
      assert.equal(first.session.key, 'alice');
      assert.match(first.session.token, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(rooms(first.session), []);
      assert.notEqual((await east.take('bob')).session.token, first.session.token);
    });

    it('refuses a nickname held by a live session whatever its case, on any instance, naming the holder as shown', async () => {
      const [east, west] = await pair();
      await east.take('Alice');
      assert.deepEqual(await west.claim('ALICE'), { ok: false, reason: 'taken', holder: 'Alice' });
      assert.deepEqual(await east.claim('alice', 'not-a-token'), { ok: false, reason: 'taken', holder: 'Alice' });
    });

    it('resumes the session on any instance, with its rooms in join order, when its token claims its nickname again', async () => {
      const [east, west] = await pair();
      const { session } = await east.take('alice');
      await east.registry.join(session.token, 'lobby');
      await east.registry.join(session.token, 'games');
      const again = await west.take('ALICE', session.token);
      assert.equal(again.resumed, true);
      assert.equal(again.session.token, session.token);
      assert.equal(again.session.nickname, 'alice', 'the nickname keeps the case it was claimed with');
      assert.deepEqual(rooms(again.session), ['lobby', 'games']);
    });

    it('ends the previous session when its token claims another nickname: its rooms hear it left, its nickname is free', async () => {
      const [east, west] = await pair();
      const { session: old } = await east.take('alice');
      const { session: bob } = await east.take('bob');
      await east.registry.join(old.token, 'lobby');
      await east.registry.join(bob.token, 'lobby');
      const renamed = await west.take('alicia', old.token);
      assert.equal(renamed.resumed, false);
      assert.notEqual(renamed.session.token, old.token);
      assert.equal(renamed.replaced?.nickname, 'alice');
      assert.deepEqual(renamed.replaced?.left, [{ room: 'lobby', count: 1, coalesced: false }]);
      assert.equal(await east.registry.get(old.token), undefined);
      assert.deepEqual((await east.registry.members('lobby', { limit: 10 })).members, ['bob']);
      await east.take('Alice');
    });

    it('keeps the session of a token that claims a nickname someone else holds', async () => {
      const [east] = await pair();
      await east.take('bob');
      const { session } = await east.take('alice');
      assert.deepEqual(await east.claim('Bob', session.token), { ok: false, reason: 'taken', holder: 'bob' });
      assert.equal((await east.registry.get(session.token))?.nickname, 'alice');
    });

    it('gets a session by token and by nickname key, and nothing for unknown ones', async () => {
      const [east, west] = await pair();
      const { session } = await east.take('Alice');
      await east.registry.join(session.token, 'lobby');
      const expected = { token: session.token, nickname: 'Alice', key: 'alice', rooms: new Set(['lobby']) };
      assert.deepEqual(await west.registry.get(session.token), expected);
      assert.deepEqual(await west.registry.findByNickname('alice'), expected);
      assert.equal(await west.registry.get('unknown'), undefined);
      assert.equal(await west.registry.findByNickname('bob'), undefined);
    });

    it('lets exactly one of 50 concurrent claims of one nickname on two instances win', async () => {
      const [east, west] = await pair();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? east : west).claim(i % 3 === 0 ? 'ALICE' : 'alice')),
      );
      const winners = results.filter((result) => result.ok);
      assert.equal(winners.length, 1);
      const holder = won(winners[0]!).session.nickname;
      for (const result of results) if (!result.ok) assert.deepEqual(result, { ok: false, reason: 'taken', holder });
    });

    it('lets exactly one of 50 sessions renaming to one nickname at once win, and keeps the others', async () => {
      const [east, west] = await pair();
      const tokens = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await east.take(`user${i}`)).session.token));
      const results = await Promise.all(tokens.map((token, i) => (i % 2 === 0 ? east : west).claim('alice', token)));
      const winners = results.filter((result) => result.ok);
      assert.equal(winners.length, 1);
      assert.match(won(winners[0]!).replaced?.key ?? '', /^user\d+$/);
      const remaining = await Promise.all(tokens.map((token) => west.registry.get(token)));
      assert.equal(remaining.filter((session) => session === undefined).length, 1, 'only the winner left its old session');
    });
  });

  describe('rooms', () => {
    it('joins and leaves, answering the exact count, and nothing when nothing changed', async () => {
      const [east, west] = await pair();
      const { session: alice } = await east.take('alice');
      const { session: bob } = await west.take('bob');
      assert.deepEqual(await east.registry.join(alice.token, 'lobby'), { room: 'lobby', count: 1, coalesced: false });
      assert.equal(await west.registry.join(alice.token, 'lobby'), undefined);
      assert.deepEqual(await west.registry.join(bob.token, 'lobby'), { room: 'lobby', count: 2, coalesced: false });
      assert.deepEqual(await east.registry.leave(alice.token, 'lobby'), { room: 'lobby', count: 1, coalesced: false });
      assert.equal(await east.registry.leave(alice.token, 'lobby'), undefined);
      assert.equal(await east.registry.join('unknown', 'lobby'), undefined);
      assert.equal(await east.registry.leave('unknown', 'lobby'), undefined);
      assert.deepEqual(await east.registry.leave(bob.token, 'lobby'), { room: 'lobby', count: 0, coalesced: false });
      assert.deepEqual(rooms(await east.registry.get(alice.token)), []);
      assert.deepEqual(await west.registry.memberCounts(['lobby', 'never']), [0, 0]);
    });

    it('ends a session once: returns it with what each room heard, frees its nickname and empties its rooms', async () => {
      const [east, west] = await pair();
      const { session: alice } = await east.take('alice');
      const { session: bob } = await west.take('bob');
      for (const room of ['lobby', 'games']) {
        await east.registry.join(alice.token, room);
        await west.registry.join(bob.token, room);
      }
      await east.registry.join(alice.token, 'solo');
      assert.deepEqual(await west.registry.end(alice.token), {
        token: alice.token,
        nickname: 'alice',
        key: 'alice',
        rooms: new Set(['lobby', 'games', 'solo']),
        left: [
          { room: 'lobby', count: 1, coalesced: false },
          { room: 'games', count: 1, coalesced: false },
          { room: 'solo', count: 0, coalesced: false },
        ],
      });
      assert.equal(await east.registry.end(alice.token), undefined, 'a session ends once');
      assert.equal(await east.registry.get(alice.token), undefined);
      assert.deepEqual(await east.registry.memberCounts(['lobby', 'games', 'solo']), [1, 1, 0]);
      assert.deepEqual(await east.registry.members('games', { limit: 10 }), { members: ['bob'], count: 1 });
      await west.take('Alice');
    });

    it('pages a room of 450 in case-insensitive order, every member exactly once, on either instance', async () => {
      const [east, west] = await pair();
      const names = Array.from({ length: 450 }, (_, i) => `${i % 2 ? 'U' : 'u'}ser${String(i).padStart(3, '0')}`);
      names.push('Zoë', 'ängel', 'ALF', 'alfa');
      await populate(east, 'lobby', names.filter((_, i) => i % 2 === 0));
      await populate(west, 'lobby', names.filter((_, i) => i % 2 === 1));
      const expected = byKey(names);
      for (const instance of [east, west]) {
        for (const limit of [200, 7, 1]) {
          const { members, pages } = await allMembers(instance.registry, 'lobby', { limit });
          assert.deepEqual(members, expected, `pages of ${limit}`);
          assert.equal(pages, Math.ceil(names.length / limit));
        }
      }
      const first = await east.registry.members('lobby', { limit: 100 });
      assert.equal(first.count, names.length);
      assert.deepEqual(first.members, expected.slice(0, 100));
      assert.deepEqual(await east.registry.memberCounts(['lobby']), [names.length]);
    });

    it('finds members by prefix case-insensitively, page by page, and nobody outside the prefix', async () => {
      const [east, west] = await pair();
      const names = [
        ...Array.from({ length: 230 }, (_, i) => `${i % 3 ? 'Al' : 'aL'}${i}`),
        'Al',
        'Ak',
        'Am',
        'bAL',
        'Älva',
      ];
      await populate(east, 'lobby', names.slice(0, 120));
      await populate(west, 'lobby', names.slice(120));
      const matching = byKey(names.filter((name) => name.toLowerCase().startsWith('al')));
      assert.equal(matching.length, 231);
      for (const limit of [200, 50]) {
        const { members } = await allMembers(west.registry, 'lobby', { prefix: 'al', limit });
        assert.deepEqual(members, matching, `pages of ${limit}`);
      }
      assert.deepEqual((await east.registry.members('lobby', { prefix: 'äl', limit: 10 })).members, ['Älva']);
      assert.deepEqual(await east.registry.members('lobby', { prefix: 'zz', limit: 10 }), { members: [], count: names.length });
      // A cursor past the prefix's range finds nothing; one before it starts at the prefix.
      assert.deepEqual((await east.registry.members('lobby', { prefix: 'al', after: 'b', limit: 10 })).members, []);
      assert.deepEqual((await east.registry.members('lobby', { prefix: 'al', after: 'ak', limit: 2 })).members, matching.slice(0, 2));
    });

    it('keeps counts exact through joins, leaves, renames and ends on both instances', async () => {
      const [east, west] = await pair();
      const sessions = [...(await populate(east, 'lobby', ['a1', 'a2', 'a3'])), ...(await populate(west, 'lobby', ['b1', 'b2']))];
      await west.registry.join(sessions[0]!.token, 'games');
      await east.registry.join(sessions[3]!.token, 'games');
      assert.deepEqual(await west.registry.memberCounts(['lobby', 'games']), [5, 2]);
      await west.registry.leave(sessions[1]!.token, 'lobby');
      await east.registry.end(sessions[3]!.token);
      await west.take('renamed', sessions[0]!.token);
      assert.deepEqual(await east.registry.memberCounts(['lobby', 'games']), [2, 0]);
      const page = await west.registry.members('lobby', { limit: 10 });
      assert.deepEqual(page, { members: ['a3', 'b2'], count: 2 });
    });
  });

  describe('entering a room (room:join in one step)', () => {
    const page = { limit: 2 };

    it('joins the live session and answers the session with the room, the change and the first member page', async () => {
      const [east] = await pair();
      await populate(east, 'lobby', ['carol', 'bob']);
      const { session } = await east.take('alice');
      const entered = await east.registry.enter(session.token, 'lobby', { holder: east.holder, roomsMax: 10, page, banSubjects: [] });
      assert.ok(entered.ok);
      assert.deepEqual(rooms(entered.session), ['lobby']);
      assert.deepEqual(entered.change, { room: 'lobby', count: 3, coalesced: false });
      assert.deepEqual(entered.page, { members: ['alice', 'bob'], next: 'bob', count: 3 });
      assert.equal(entered.heldElsewhere, false, 'only the instance asking holds the session');
      const again = await east.registry.enter(session.token, 'lobby', { holder: east.holder, roomsMax: 10, page, banSubjects: [] });
      assert.ok(again.ok);
      assert.equal(again.change, undefined, 'entering a room the session is in changes nothing');
      assert.equal(again.page.count, 3);
    });

    it('refuses a room beyond roomsMax, but not a room the session is already in', async () => {
      const [east] = await pair();
      const { session } = await east.take('alice');
      for (const room of ['a', 'b']) assert.ok((await east.registry.enter(session.token, room, { holder: east.holder, roomsMax: 2, page, banSubjects: [] })).ok);
      assert.deepEqual(await east.registry.enter(session.token, 'c', { holder: east.holder, roomsMax: 2, page, banSubjects: [] }), { ok: false, reason: 'too-many-rooms' });
      assert.ok((await east.registry.enter(session.token, 'a', { holder: east.holder, roomsMax: 2, page, banSubjects: [] })).ok);
      assert.deepEqual(rooms(await east.registry.get(session.token)), ['a', 'b']);
      assert.equal((await east.registry.members('c', page)).count, 0);
    });

    it('says there is no session for a token that ended, and joins nothing', async () => {
      const [east] = await pair();
      const { session } = await east.take('alice');
      await east.registry.end(session.token);
      assert.deepEqual(await east.registry.enter(session.token, 'lobby', { holder: east.holder, roomsMax: 10, page, banSubjects: [] }), { ok: false, reason: 'no-session' });
      assert.equal((await east.registry.members('lobby', page)).count, 0);
    });

    it('says the session is held elsewhere once another instance resumed it, so its tabs there can be told', async () => {
      const [east, west] = await pair();
      const { session } = await east.take('alice');
      await west.take('alice', session.token);
      const entered = await east.registry.enter(session.token, 'lobby', { holder: east.holder, roomsMax: 10, page, banSubjects: [] });
      assert.ok(entered.ok);
      assert.equal(entered.heldElsewhere, true);
    });
  });

  describe('direct message peers', () => {
    it('remembers whom a session wrote to, on any instance, until the session ends', async () => {
      const [east, west] = await pair();
      const { session: alice } = await east.take('alice');
      const { session: bob } = await west.take('bob');
      await east.registry.notePeer(alice.token, 'bob', { token: bob.token, nickname: 'bob' });
      assert.deepEqual(await west.registry.findPeer(alice.token, 'bob'), { token: bob.token, nickname: 'bob' });
      await west.registry.end(bob.token);
      assert.deepEqual(await west.registry.findPeer(alice.token, 'bob'), { token: bob.token, nickname: 'bob' }, 'after the peer left');
      assert.equal(await west.registry.findPeer(alice.token, 'carol'), undefined);
      assert.equal(await west.registry.findPeer(bob.token, 'alice'), undefined);
      await east.registry.end(alice.token);
      assert.equal(await east.registry.findPeer(alice.token, 'bob'), undefined);
    });
  });
}
