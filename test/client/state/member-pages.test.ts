import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemberPages, memberKey } from '../../../WorkerRole1/src/client/state/member-pages.js';

/** `count` names, `member-000` ... in the order the server sorts them. */
const names = (count: number, start = 0, base = 'member') =>
  Array.from({ length: count }, (_, index) => `${base}-${String(start + index).padStart(3, '0')}`);

describe('a member list loaded page by page', () => {
  it('sorts ignoring case, as the server does, and holds each nickname once whatever its case', () => {
    const pages = new MemberPages();
    pages.reset(['bob', 'Alice', 'carol', 'ALICE', 'Émile', 'dave'], null);
    assert.deepEqual(pages.items(), ['Alice', 'bob', 'carol', 'dave', 'Émile']);
    assert.equal(pages.indexOf('CAROL'), 2);
    assert.equal(pages.indexOf('zed'), -1);
  });

  it('uses the server’s case folding, so “Straße” and “STRASSE” are one member', () => {
    assert.equal(memberKey('Straße'), memberKey('STRASSE'));
    const pages = new MemberPages();
    pages.reset(['Straße'], null);
    assert.equal(pages.joined('STRASSE'), false);
    assert.equal(pages.size, 1);
  });

  it('merges the following pages without duplicates and knows when it reached the end', () => {
    const pages = new MemberPages();
    pages.reset(names(100), undefined);
    assert.equal(pages.complete, false);
    assert.equal(pages.cursor, 'member-099', 'a first page without a cursor continues after its last name');
    // The server's page may overlap what is loaded (someone joined in between): no duplicates.
    pages.addPage(names(200, 99), 'member-298');
    assert.equal(pages.cursor, 'member-298');
    pages.addPage(names(2, 299), undefined);
    assert.equal(pages.complete, true);
    assert.equal(pages.cursor, undefined);
    assert.deepEqual(pages.items(), names(301));
  });

  it('continues after a first page from the key of its last name, as the server’s cursors are keys', () => {
    const pages = new MemberPages();
    pages.reset(['Anna', 'STRAßE'], undefined);
    assert.equal(pages.cursor, 'strasse');
  });

  it('does not take the caller’s own name, added to a first page wherever it sorts, as proof of what is loaded', () => {
    const pages = new MemberPages();
    // The first 99 members and the caller, who sorts far after them.
    pages.reset([...names(99), 'zoe'], undefined, 'zoe');
    assert.equal(pages.cursor, 'member-098');
    assert.equal(pages.covers(memberKey('member-500')), false);
    assert.equal(pages.joined('member-500'), false, 'a join between the first page and the caller waits for its page');
    pages.addPage([...names(100, 99), 'zoe'], undefined);
    assert.deepEqual(pages.items(), [...names(199), 'zoe']);
  });

  it('inserts a joiner in sorted place only inside the loaded range and removes those who left', () => {
    const pages = new MemberPages();
    pages.reset(names(100), undefined);
    assert.equal(pages.joined('member-050a'), true);
    assert.equal(pages.indexOf('member-050a'), 51);
    assert.equal(pages.joined('aaron'), true);
    assert.equal(pages.at(0), 'aaron');
    assert.equal(pages.joined('zed'), false, 'after the loaded range: its page will bring it');
    assert.equal(pages.indexOf('zed'), -1);
    assert.equal(pages.left('member-010'), true);
    assert.equal(pages.left('member-010'), false, 'a second leave changes nothing');
    assert.equal(pages.left('zed'), false);
    assert.equal(pages.size, 101);
    const items = pages.items();
    assert.deepEqual([...items].sort((a, b) => (memberKey(a) < memberKey(b) ? -1 : 1)), items, 'still sorted');
  });

  it('once complete, takes every joiner wherever it sorts', () => {
    const pages = new MemberPages();
    pages.reset(['ann', 'bob'], null);
    assert.equal(pages.joined('zed'), true);
    assert.deepEqual(pages.items(), ['ann', 'bob', 'zed']);
  });

  it('settles joins and leaves heard while a page was on its way, whether the page saw them or not', () => {
    const pages = new MemberPages();
    pages.reset(names(100), undefined);
    pages.beginLoad();
    pages.joined('member-150'); // after the loaded range: its page brings it
    pages.left('member-120'); // the page below was read before this leave: it still lists them
    pages.joined('member-130a'); // ... and before this join: it does not list them
    pages.addPage(names(100, 100), undefined);
    assert.equal(pages.indexOf('member-120'), -1, 'the leave heard during the load wins over the older page');
    assert.equal(pages.indexOf('member-130a'), 130, 'the join heard during the load is shown once its range is loaded');
    assert.equal(pages.indexOf('member-150'), 150);
    assert.equal(pages.size, 200);
    assert.equal(pages.loading, false);
  });

  it('keeps only the names that start with its prefix, for a search', () => {
    const pages = new MemberPages(memberKey('Mar'));
    pages.addPage(['Maria', 'mark', 'Bob'], undefined);
    assert.deepEqual(pages.items(), ['Maria', 'mark']);
    assert.equal(pages.joined('MARTIN'), true);
    assert.equal(pages.joined('Anna'), false);
    assert.deepEqual(pages.items(), ['Maria', 'mark', 'MARTIN']);
  });

  it('changes its version on every change and only then, so a view redraws only when needed', () => {
    const pages = new MemberPages();
    pages.reset(names(10), null);
    const version = pages.version;
    pages.joined('member-005');
    pages.left('nobody');
    assert.equal(pages.version, version);
    pages.joined('member-005a');
    assert.notEqual(pages.version, version);
  });
});
