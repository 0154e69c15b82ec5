import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { startChatServer, type RunningChatServer } from '../helpers/chat-server.js';
import { ChatPage, launchBrowser, uniqueNickname, uniqueRoom } from '../e2e/browser.js';

/**
 * The browser client (client/sync.ts `enter`) joins its rooms inside session:start, in headless
 * Chromium against a real server: what it sends, and that the rooms it joined that way work.
 */

const builtClient = new URL('../../WorkerRole1/dist/public/app.js', import.meta.url);
/** Short, so that a session left offline is forgotten by the server within the test. */
const GRACE_MS = 300;

let server: RunningChatServer;
let browser: Browser;

interface Traffic {
  /** The events the page sent, in order, with their payloads. */
  sent: Array<{ event: string; payload: unknown }>;
  /** The acks it received. */
  acks: unknown[];
}

/** Socket.IO packets both ways, over WebSocket frames or long-polling requests (several packets each, separated by \x1e). */
function recordTraffic(page: Page): Traffic {
  const traffic: Traffic = { sent: [], acks: [] };
  const sent = (frame: string) => {
    const packet = /^42\d*(\[.*\])$/s.exec(frame)?.[1];
    if (packet === undefined) return;
    const [event, payload] = JSON.parse(packet) as [string, unknown];
    traffic.sent.push({ event, payload });
  };
  const received = (frame: string) => {
    const packet = /^43\d*(\[.*\])$/s.exec(frame)?.[1];
    if (packet !== undefined) traffic.acks.push((JSON.parse(packet) as unknown[])[0]);
  };
  page.on('websocket', (socket: WebSocket) => {
    socket.on('framesent', ({ payload }) => sent(String(payload)));
    socket.on('framereceived', ({ payload }) => received(String(payload)));
  });
  const polling = (url: string) => new URL(url).pathname.startsWith('/socket.io/');
  page.on('request', (request) => {
    if (request.method() === 'POST' && polling(request.url())) for (const frame of (request.postData() ?? '').split('\x1e')) sent(frame);
  });
  page.on('response', (response) => {
    if (response.request().method() === 'GET' && polling(response.url())) {
      void response.text().then((body) => body.split('\x1e').forEach(received), () => undefined);
    }
  });
  return traffic;
}

/** The rooms the session:start ack says were joined, with whether each was. */
function joinedBySessionStart(traffic: Traffic): Array<[string, boolean]> | undefined {
  const ack = traffic.acks.find((body): body is { joined: Array<{ room: string; ok: boolean }> } => typeof body === 'object' && body !== null && 'joined' in body);
  return ack?.joined.map(({ room, ok }) => [room, ok]);
}

describe('the browser joins its rooms in session:start', { timeout: 90_000 }, () => {
  before(async () => {
    assert.ok(existsSync(builtClient), 'WorkerRole1/dist/public/app.js is missing: run `npm run build` first');
    server = await startChatServer({ sessionGraceMs: GRACE_MS });
    browser = await launchBrowser();
  }, { timeout: 30_000 });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a new person enters the lobby in one round trip and sees its history and members', async () => {
    const bob = await (await ChatPage.open(browser, server.url)).join(uniqueNickname('bob'));
    await bob.send('said before alice came');
    await bob.waitForMessage('said before alice came');

    const alice = await ChatPage.open(browser, server.url);
    const traffic = recordTraffic(alice.page);
    const { sent } = traffic;
    const aliceName = uniqueNickname('alice');
    await alice.join(aliceName);
    await alice.waitForMessage('said before alice came');
    await alice.page.locator('#conversation-subtitle', { hasText: '2 online' }).waitFor();

    const starts = sent.filter(({ event }) => event === 'session:start');
    assert.deepEqual(starts.map(({ payload }) => payload), [{ nickname: aliceName, join: ['lobby'] }]);
    assert.deepEqual(joinedBySessionStart(traffic), [['lobby', true]]);
    assert.deepEqual(sent.filter(({ event }) => event === 'room:join'), [], 'no room:join');
    // In the lobby for real: messages go both ways.
    await alice.send('hello bob');
    await bob.waitForMessage('hello bob');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await Promise.all([alice.close(), bob.close()]);
  });

  test('after the server forgot the session, a reconnect joins every room the page had in the same session:start', async () => {
    const room = uniqueRoom('kept');
    const alice = await (await ChatPage.open(browser, server.url)).join(uniqueNickname('alice'));
    await alice.joinRoom(room);
    await alice.send('in the other room');
    await alice.waitForMessage('in the other room');

    const traffic = recordTraffic(alice.page);
    const { sent } = traffic;
    await alice.context.setOffline(true);
    await alice.page.locator('#connection-status', { hasText: /Offline|Reconnecting/ }).waitFor();
    // Past the grace period the session and its rooms are gone on the server.
    await alice.page.waitForTimeout(GRACE_MS * 5);
    await alice.context.setOffline(false);
    await alice.page.locator('#connection-status', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await alice.waitForMessage('in the other room');

    const start = sent.find(({ event }) => event === 'session:start');
    assert.deepEqual((start?.payload as { join?: string[] } | undefined)?.join, ['lobby', room]);
    assert.deepEqual(joinedBySessionStart(traffic), [['lobby', true], [room, true]], 'a new session, which joined both rooms');
    assert.deepEqual(sent.filter(({ event }) => event === 'room:join'), [], 'no room:join');
    // Back in the room on the server: another person there hears what alice says.
    const bob = await (await ChatPage.open(browser, server.url)).join(uniqueNickname('bob'));
    await bob.joinRoom(room);
    await alice.send('back again');
    await bob.waitForMessage('back again');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await Promise.all([alice.close(), bob.close()]);
  });
});
