import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomMembers } from '../../../WorkerRole1/src/client/state/room-members.js';

const names = (count: number, base = 'm') => Array.from({ length: count }, (_, index) => `${base}${String(index).padStart(4, '0')}`);

describe('who is in a room', () => {
  it('shows the exact count from room:join although the first page holds only 100 names', () => {
    const members = new RoomMembers();
    members.joinedRoom(names(100), 5000, 'm0042');
    assert.equal(members.count, 5000);
    assert.equal(members.all.size, 100);
    assert.equal(members.all.complete, false);
  });

  it('knows a small room is complete from its first page', () => {
    const members = new RoomMembers();
    members.joinedRoom(['ann', 'bob'], 2, 'ann');
    assert.equal(members.all.complete, true);
    assert.equal(members.joined('zed', 3), true, 'a new person: the notice is due');
    assert.deepEqual(members.all.items(), ['ann', 'bob', 'zed']);
    assert.equal(members.count, 3);
    assert.equal(members.joined('ZED', 3), false, 'already listed: no second notice');
    assert.equal(members.left('bob', 2), true);
    assert.equal(members.left('bob', 2), false);
    assert.deepEqual(members.all.items(), ['ann', 'zed']);
  });

  it('applies a coalesced presence event: the server’s count, joiners in range, leavers gone', () => {
    const members = new RoomMembers();
    members.joinedRoom(names(100), 300, 'm0000');
    members.presence({ joined: ['a-new', 'm0050x', 'zz-late'], left: ['m0010', 'm0011', 'm0999'], count: 298 });
    assert.equal(members.count, 298);
    assert.equal(members.all.at(0), 'a-new');
    assert.notEqual(members.all.indexOf('m0050x'), -1);
    assert.equal(members.all.indexOf('zz-late'), -1, 'sorts after the loaded pages');
    assert.equal(members.all.indexOf('m0010'), -1);
    assert.equal(members.all.size, 100);
  });

  it('takes a leave and a join of the same name in one event as someone who is back', () => {
    const members = new RoomMembers();
    members.joinedRoom(['ann', 'bob'], 2, 'ann');
    members.presence({ joined: ['bob'], left: ['bob'], count: 2 });
    assert.deepEqual(members.all.items(), ['ann', 'bob']);
  });

  it('keeps the search results current: joiners matching the prefix appear, leavers go', () => {
    const members = new RoomMembers();
    members.joinedRoom(names(100), 1000, 'm0000');
    const pages = members.startSearch('  Ma ');
    assert.ok(pages, 'a search to load');
    assert.equal(members.search?.query, 'Ma');
    pages.addPage(['Mary', 'maria'], undefined);
    members.presence({ joined: ['MAX', 'bob'], left: ['mary'], count: 1000 });
    assert.deepEqual(members.search?.pages.items(), ['maria', 'MAX']);
    assert.equal(members.startSearch(''), undefined);
    assert.equal(members.search, undefined, 'an empty box ends the search');
  });

  it('answers a search no nickname could match without asking the server', () => {
    const members = new RoomMembers();
    assert.equal(members.startSearch('<b>'), undefined);
    assert.equal(members.search?.pages.complete, true);
    assert.equal(members.search?.pages.size, 0);
  });

  it('after a resume takes the count and reloads the first page when asked, replacing the old one', () => {
    const members = new RoomMembers();
    members.joinedRoom(names(100), 400, 'm0000');
    members.resumed(350);
    assert.equal(members.count, 350);
    assert.equal(members.stale, true);
    members.refreshed(names(200, 'n'), 'n0199');
    assert.equal(members.stale, false);
    assert.equal(members.all.indexOf('m0001'), -1, 'names from before the disconnect are gone');
    assert.equal(members.all.cursor, 'n0199');
  });

  it('counts joins and leaves from an instance that sends no count (during a rolling upgrade)', () => {
    const members = new RoomMembers();
    members.joinedRoom(['ann'], undefined, 'ann');
    assert.equal(members.count, 1);
    members.joined('bob', undefined);
    members.joined('cy', undefined);
    members.left('ann', undefined);
    assert.equal(members.count, 2);
  });
});
