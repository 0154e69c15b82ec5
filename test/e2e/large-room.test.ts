import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { startChatServer, type RunningChatServer } from '../helpers/chat-server.js';
import { ChatPage, launchBrowser, uniqueNickname, uniqueRoom } from './browser.js';
import { Crowd } from './crowd.js';

/**
 * The browser client in a room of 300 people (plain Socket.IO clients in the test process)
 * against the real server, in headless Chromium: the exact count, the member list paged in on
 * scroll, the search by prefix, coalesced presence applied in place, and a reconnect that
 * resumes the room without joining it again.
 */

const builtClient = new URL('../../WorkerRole1/dist/public/app.js', import.meta.url);
const CROWD_SIZE = 300;
const STEP_TIMEOUT_MS = 20_000;

let server: RunningChatServer;
let browser: Browser;
const crowds: Crowd[] = [];
const windows: ChatPage[] = [];

/** `crowdabc-000` ... `crowdabc-299`: sorted the way the server sorts them. */
function crowdNames(count: number): string[] {
  const tag = Math.random().toString(36).slice(2, 5);
  return Array.from({ length: count }, (_, index) => `crowd${tag}-${String(index).padStart(3, '0')}`);
}

async function crowdIn(room: string, nicknames: readonly string[]): Promise<Crowd> {
  const crowd = new Crowd(server.url, room);
  crowds.push(crowd);
  await crowd.join(nicknames);
  return crowd;
}

async function openWindow(): Promise<ChatPage> {
  const window = await ChatPage.open(browser, server.url, { width: 900, height: 720 });
  windows.push(window);
  return window;
}

const memberButton = (page: Page, nickname: string) => page.locator(`#member-list button[data-nickname="${nickname}"]`);

/** Scrolls the member list with the mouse wheel, as a person would, until `nickname` shows. */
async function scrollMembersUntil(page: Page, nickname: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  await page.locator('#member-scroller').hover();
  while ((await page.locator('#member-list li', { hasText: nickname }).count()) === 0) {
    assert.ok(Date.now() < deadline, `${nickname} never showed in the member list`);
    await page.mouse.wheel(0, 2000);
    await page.waitForTimeout(100);
  }
}

/** The name on the row at the top of the member list's visible area. */
function topRow(page: Page): Promise<string> {
  return page.locator('#member-scroller').evaluate((scroller) => {
    const box = scroller.getBoundingClientRect();
    return scroller.ownerDocument.elementFromPoint(box.left + box.width / 2, box.top + 4)?.closest('li')?.textContent ?? '';
  });
}

describe('a room with hundreds of people, in a browser', { timeout: 600_000 }, () => {
  before(async () => {
    assert.ok(existsSync(builtClient), 'WorkerRole1/dist/public/app.js is missing: run `npm run build` first');
    server = await startChatServer();
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const window of windows.splice(0)) {
      assert.deepEqual(window.errors, [], 'the page logged no errors');
      await window.close();
    }
    for (const crowd of crowds.splice(0)) crowd.close();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('shows the exact count, finds anyone by prefix, pages the list in on scroll and follows coalesced joins and leaves in place', async () => {
    const room = uniqueRoom('allhands');
    const names = crowdNames(CROWD_SIZE);
    const crowd = await crowdIn(room, names);
    // Sorts after every bot: the first page (LIMITS.joinMembersMax names) holds one bot fewer and, always, the caller.
    const me = uniqueNickname('viewer');
    const viewer = await (await openWindow()).join(me);
    await viewer.joinRoom(room);
    const { page } = viewer;

    await page.locator('#conversation-subtitle', { hasText: `${CROWD_SIZE + 1} online` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('#members-heading', { hasText: `(${CROWD_SIZE + 1})` }).waitFor();
    await memberButton(page, names[0] ?? '').waitFor();

    // A prefix finds people beyond what is loaded, ignoring case.
    const prefix = (names[250] ?? '').slice(0, -1).toUpperCase();
    await page.locator('#member-search').fill(prefix);
    const expected = names.slice(250, 260);
    await memberButton(page, expected[9] ?? '').waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.deepEqual(await page.locator('#member-list button[data-nickname]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-nickname'))), expected);
    await page.locator('#member-search').fill('nobody-here');
    await page.locator('#member-status', { hasText: 'No one here starts with' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('#member-search').fill('');
    await memberButton(page, names[0] ?? '').waitFor({ timeout: STEP_TIMEOUT_MS });

    // Scrolling to the end loads the following pages: every member once, the caller last.
    const last = names.at(-1) ?? '';
    await scrollMembersUntil(page, last);
    await page.locator('#member-list li', { hasText: `${me}(you)` }).waitFor();
    assert.equal(await page.locator('#member-list li', { hasText: me }).getAttribute('aria-posinset'), String(CROWD_SIZE + 1), 'no one listed twice');
    const rows = await page.locator('#member-list li').count();
    assert.ok(rows < 150, `only the rows in view are drawn (${rows} of ${CROWD_SIZE + 1})`);

    // Back at the top, three people join and two leave within a second: one coalesced update.
    await page.locator('#member-scroller').evaluate((scroller) => {
      scroller.scrollTop = 0;
    });
    const kept = names[5] ?? '';
    await memberButton(page, kept).waitFor();
    await memberButton(page, kept).evaluate((button) => {
      (button.closest('li') as unknown as Record<string, unknown>).keptAcross = true;
    });
    const newcomers = crowdNames(3).map((name) => `a${name}`);
    const leavers = [names[20] ?? '', names[21] ?? ''];
    for (const name of leavers) await memberButton(page, name).waitFor();
    await Promise.all([crowd.join(newcomers), crowd.leave(leavers)]);

    await page.locator('#conversation-subtitle', { hasText: `${CROWD_SIZE + 1 + 3 - 2} online` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    for (const name of newcomers) await memberButton(page, name).waitFor();
    for (const name of leavers) await memberButton(page, name).waitFor({ state: 'detached' });
    assert.equal(
      await memberButton(page, kept).evaluate((button) => (button.closest('li') as unknown as Record<string, unknown>).keptAcross === true),
      true,
      'rows of people who stayed are updated in place, not drawn again',
    );
    assert.ok(crowd.presence.length > 0, 'the server sent room:presence, not one event per person');
    assert.equal(await page.locator('#message-list .notice', { hasText: /joined|left/ }).count(), 0, 'no notice per person in a large room');

    // Further down the list, people joining above the rows in view do not move them.
    const middle = names[150] ?? '';
    await scrollMembersUntil(page, middle);
    await memberButton(page, middle).evaluate((button) => button.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    const shownFirst = await topRow(page);
    assert.match(shownFirst, /crowd/);
    await crowd.join(crowdNames(2).map((name) => `ab${name}`));
    await page.locator('#conversation-subtitle', { hasText: `${CROWD_SIZE + 1 + 3 - 2 + 2} online` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.waitForTimeout(200);
    assert.equal(await topRow(page), shownFirst, 'the reader keeps their place');
  });

  test('after a reconnect, resumes the large room in one round trip: no room:join, the count and what was missed', async () => {
    const room = uniqueRoom('resume');
    const names = crowdNames(CROWD_SIZE);
    const crowd = await crowdIn(room, names);
    const viewer = await (await openWindow()).join(uniqueNickname('viewer'));
    await viewer.joinRoom(room);
    const { page } = viewer;
    await page.locator('#conversation-subtitle', { hasText: `${CROWD_SIZE + 1} online` }).waitFor({ timeout: STEP_TIMEOUT_MS });

    const sent: string[] = [];
    page.on('websocket', (socket: WebSocket) => socket.on('framesent', ({ payload }) => sent.push(String(payload))));
    // A reconnect may go over long-polling first (the WebSocket attempt failed or was slow, as on a
    // loaded machine): the same packets, several to a POST, separated by \x1e.
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.startsWith('/socket.io/')) sent.push(...(request.postData() ?? '').split('\x1e'));
    });
    await viewer.context.setOffline(true);
    await page.locator('#connection-status', { hasText: /Offline|Reconnecting/ }).waitFor();
    const newcomers = crowdNames(2).map((name) => `a${name}`);
    await crowd.join(newcomers);
    await crowd.leave([names[0] ?? '']);
    const missed = await crowd.say(names[1] ?? '', 'said while you were away');

    await viewer.context.setOffline(false);
    await page.locator('#connection-status', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await viewer.waitForMessage(missed);
    await page.locator('#conversation-subtitle', { hasText: `${CROWD_SIZE + 1 + 2 - 1} online` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    // The list on screen is loaded again (joins and leaves while away were not heard).
    for (const name of newcomers) await memberButton(page, name).waitFor({ timeout: STEP_TIMEOUT_MS });
    await memberButton(page, names[0] ?? '').waitFor({ state: 'detached' });

    const events = sent.map((frame) => /^\d+\["([^"]+)"/.exec(frame)?.[1]).filter((event) => event !== undefined);
    assert.ok(events.includes('session:start'), `the session was resumed: ${events.join(', ')}`);
    assert.ok(events.includes('history:fetch'), 'what was missed was fetched');
    assert.ok(!events.includes('room:join'), `no room was joined again: ${events.join(', ')}`);
  });
});
