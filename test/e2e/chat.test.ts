import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test as nodeTest, type TestContext } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { startChatServer, type RunningChatServer } from '../helpers/chat-server.js';
import { nonEphemeralPort } from '../helpers/non-ephemeral-port.js';
import { sendFromBot } from './bots.js';
import { ChatPage, launchBrowser, sideBySide, uniqueNickname, uniqueRoom } from './browser.js';

/**
 * The browser client against the real server, in headless Chromium: two (or three) windows
 * chatting, with the things people notice when they go wrong: HTML in messages, taken
 * nicknames, reloads, private messages, going offline, typing, a phone-sized screen.
 */

const builtClient = new URL('../../WorkerRole1/dist/public/app.js', import.meta.url);
/**
 * Outside the repository, so that `npm test` leaves the tree as it found it; `npm run screenshot`
 * (test/e2e/update-screenshot.ts) names docs/screenshot.png instead.
 */
function screenshotPath(): string {
  return process.env.CHATAPP_SCREENSHOT ?? join(mkdtempSync(join(tmpdir(), 'chatapp-e2e-')), 'screenshot.png');
}

let server: RunningChatServer;
let browser: Browser;
const windows: ChatPage[] = [];

async function openWindow(viewport?: { width: number; height: number }): Promise<ChatPage> {
  const window = await ChatPage.open(browser, server.url, viewport);
  windows.push(window);
  return window;
}

async function closeWindows(): Promise<void> {
  for (const window of windows.splice(0)) {
    assert.deepEqual(window.errors, [], 'the page logged no errors');
    await window.close();
  }
}

/**
 * Each test has its own time limit. A limit on the whole describe would fall on whichever test
 * runs last when the machine is slow, and cancel it however well it was doing.
 */
const test = (name: string, fn: (t: TestContext) => Promise<void>) => nodeTest(name, { timeout: 60_000 }, fn);

describe('the chat in a browser', () => {
  before(async () => {
    assert.ok(existsSync(builtClient), 'WorkerRole1/dist/public/app.js is missing: run `npm run build` first');
    server = await startChatServer();
    browser = await launchBrowser();
  }, { timeout: 30_000 });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('two people in the lobby see each other’s messages, both ways, with line breaks kept', async () => {
    const alice = await (await openWindow()).join(uniqueNickname('alice'));
    const bob = await (await openWindow()).join(uniqueNickname('bob'));

    await alice.send('Hello Bob!');
    await bob.waitForMessage('Hello Bob!');
    await bob.send('Hi Alice.\nTwo lines here.');
    await alice.page.locator('#message-list .msg-body', { hasText: 'Two lines here.' }).waitFor();
    const bodies = await alice.page.locator('#message-list .msg-body').allTextContents();
    assert.ok(bodies.includes('Hi Alice.\nTwo lines here.'), `newline kept: ${JSON.stringify(bodies)}`);
    assert.equal(await alice.countMessages('Hello Bob!'), 1, 'the sender sees its own message once');
    assert.equal(await bob.countMessages('Hello Bob!'), 1);
    await closeWindows();
  });

  test('shows a message containing HTML as text in the other window', async () => {
    const html = `<img src=x onerror="document.title='pwned'">`;
    const mallory = await (await openWindow()).join(uniqueNickname('mallory'));
    const victim = await (await openWindow()).join(uniqueNickname('victim'));

    await mallory.send(html);
    await victim.waitForMessage(html);
    await victim.page.waitForTimeout(300); // time for an injected onerror to have fired
    assert.equal(await victim.countMessages(html), 1, 'shown once, literally');
    assert.equal(await victim.page.locator('#message-list img').count(), 0, 'no <img> was created in the log');
    assert.equal(await victim.page.locator('#chat-view img').count(), 0);
    assert.notEqual(await victim.page.title(), 'pwned');
    assert.notEqual(await mallory.page.title(), 'pwned');
    await closeWindows();
  });

  test('explains an invalid nickname before asking the server, and shows “nickname taken” inline', async () => {
    const nickname = uniqueNickname('Carol');
    await (await openWindow()).join(nickname);
    const other = await openWindow();

    await other.submitNickname('bad<name>');
    await other.page.locator('#nickname-error', { hasText: 'letters, digits' }).waitFor();

    await other.submitNickname(nickname.toUpperCase());
    const error = other.page.locator('#nickname-error');
    await error.filter({ hasText: 'taken' }).waitFor();
    assert.equal(await other.page.locator('#login-view').isVisible(), true, 'still on the nickname form');
    assert.equal(await other.page.locator('#nickname-input').getAttribute('aria-invalid'), 'true');
    assert.equal(await hasFocus(other.page.locator('#nickname-input')), true, 'focus stays in the field');

    await other.submitNickname(uniqueNickname('Carol'));
    await other.chatVisible();
    await closeWindows();
  });

  test('reclaims the same nickname after a page reload, with the history shown once', async () => {
    const alice = await (await openWindow()).join(uniqueNickname('alice'));
    const bobName = uniqueNickname('bob');
    const bob = await (await openWindow()).join(bobName);
    await alice.send('before the reload');
    await bob.waitForMessage('before the reload');

    await bob.page.reload();
    await bob.chatVisible();
    assert.equal(await bob.page.locator('#me-name').textContent(), bobName, 'same nickname, no form');
    await bob.waitForMessage('before the reload');
    assert.equal(await bob.countMessages('before the reload'), 1);

    await alice.send('after the reload');
    await bob.waitForMessage('after the reload');
    await bob.send('still me');
    await alice.page.locator('#message-list .msg', { hasText: 'still me' }).locator('.msg-from', { hasText: bobName }).waitFor();
    const ids = await bob.shownIds();
    assert.equal(new Set(ids).size, ids.length, 'no message shown twice');
    await closeWindows();
  });

  test('delivers a private message only to the person clicked, who sees it as unread', async () => {
    const aliceName = uniqueNickname('alice');
    const bobName = uniqueNickname('bob');
    const alice = await (await openWindow()).join(aliceName);
    const bob = await (await openWindow()).join(bobName);
    const carol = await (await openWindow()).join(uniqueNickname('carol'));

    await alice.page.locator(`#member-list button[data-nickname="${bobName}"]`).click();
    await alice.page.locator('#conversation-title', { hasText: bobName }).waitFor();
    await alice.send('just between us');
    await alice.waitForMessage('just between us');

    const dmButton = bob.page.locator('#dm-list button', { hasText: aliceName });
    await dmButton.locator('.badge', { hasText: '1' }).waitFor();
    await dmButton.click();
    await bob.waitForMessage('just between us');
    await bob.page.locator('#dm-list .badge').first().waitFor({ state: 'hidden' });

    await carol.page.waitForTimeout(300);
    assert.equal(await carol.page.locator('#dm-list li').count(), 0, 'carol has no private conversation');
    assert.equal(await carol.page.getByText('just between us').count(), 0, 'carol never sees the message');
    assert.equal(await alice.page.locator('#conversation-title').textContent(), bobName);
    await closeWindows();
  });

  test('keeps messages typed offline as pending, delivers everything exactly once after reconnecting, and pages back on request', async () => {
    const room = uniqueRoom('gap');
    const alice = await (await openWindow()).join(uniqueNickname('alice'));
    const bob = await (await openWindow()).join(uniqueNickname('bob'));
    await alice.joinRoom(room);
    await bob.joinRoom(room);
    await bob.send('before the gap');
    await alice.waitForMessage('before the gap');

    await alice.context.setOffline(true);
    await alice.page.locator('#connection-status', { hasText: /Offline|Reconnecting/ }).waitFor();
    await alice.send('written offline 1');
    await alice.send('written offline 2');
    assert.equal(await alice.page.locator('.msg.pending', { hasText: 'Waiting for connection' }).count(), 2);

    // More than one history page is missed: 60 messages from four other people.
    const missed = 60;
    await Promise.all([0, 1, 2, 3].map((sender) => sendFromBot(server.url, room, sender, missed / 4)));
    await bob.page.locator('#message-list .msg-body', { hasText: `missed ${missed / 4 - 1} from bot 3` }).waitFor();

    await alice.context.setOffline(false);
    await alice.page.locator('#connection-status', { hasText: 'Connected' }).waitFor({ timeout: 20_000 });
    await bob.waitForMessage('written offline 2');
    await alice.page.locator('.msg.pending').first().waitFor({ state: 'detached' });
    await alice.page.locator('#message-list .msg-body', { hasText: `missed ${missed / 4 - 1} from bot 3` }).waitFor();

    const ids = await alice.shownIds();
    assert.equal(new Set(ids).size, ids.length, 'no message shown twice');
    assert.deepEqual(ids, [...ids].sort(), 'messages in server order');
    assert.equal(await alice.page.locator('#message-list .msg-body', { hasText: /^missed / }).count(), missed);
    assert.equal(await bob.countMessages('written offline 1'), 1);
    assert.equal(await bob.countMessages('written offline 2'), 1);
    assert.equal(await alice.countMessages('written offline 1'), 1);

    // Someone joining later gets the latest page and can load the earlier ones.
    const carol = await (await openWindow()).join(uniqueNickname('carol'));
    await carol.joinRoom(room);
    assert.equal(await carol.page.locator('#message-list .msg').count(), 50);
    await carol.page.locator('#load-older').click();
    await carol.page.locator('#load-older').waitFor({ state: 'hidden' });
    assert.deepEqual(await carol.shownIds(), ids, 'the whole room, in order, once');
    await closeWindows();
  });

  test('sends a quick burst of messages in order, waiting out the server’s rate limit', async () => {
    const alice = await (await openWindow()).join(uniqueNickname('alice'));
    const bob = await (await openWindow()).join(uniqueNickname('bob'));
    const burst = server.config.messageBurst + 5;
    const texts = Array.from({ length: burst }, (_, index) => `burst ${index + 1} of ${burst}`);
    for (const text of texts) await alice.send(text);
    await bob.waitForMessage(texts.at(-1) ?? '');
    const received = (await bob.page.locator('#message-list .msg-body').allTextContents()).filter((text) => text.startsWith('burst '));
    assert.deepEqual(received, texts, 'each delivered once, in the order typed');
    await alice.page.locator('.msg.pending').first().waitFor({ state: 'detached' });
    assert.equal(await alice.page.locator('.msg.failed').count(), 0);
    await closeWindows();
  });

  test('shows who is typing in the room', async () => {
    const aliceName = uniqueNickname('alice');
    const alice = await (await openWindow()).join(aliceName);
    const bob = await (await openWindow()).join(uniqueNickname('bob'));
    await alice.page.locator('#composer-input').pressSequentially('thinking');
    await bob.page.locator('#typing-indicator', { hasText: `${aliceName} is typing…` }).waitFor();
    await alice.page.locator('#composer-input').press('Enter');
    await bob.page.locator('#typing-indicator', { hasText: 'typing' }).waitFor({ state: 'hidden' }).catch(async () => {
      assert.equal(await bob.page.locator('#typing-indicator').textContent(), '');
    });
    await closeWindows();
  });

  test('fits a phone screen: the sidebar opens from a menu button and closes with Escape', async () => {
    const phone = await (await openWindow({ width: 390, height: 780 })).join(uniqueNickname('phone'));
    const sidebar = phone.page.locator('#sidebar');
    assert.equal(await sidebar.isVisible(), false, 'sidebar tucked away');
    await phone.page.locator('#sidebar-toggle').click();
    await sidebar.waitFor({ state: 'visible' });
    await phone.page.keyboard.press('Escape');
    await sidebar.waitFor({ state: 'hidden' });
    assert.equal(await hasFocus(phone.page.locator('#sidebar-toggle')), true, 'focus back on the menu button');
    const overflow = await phone.page.locator('html').evaluate((html) => html.scrollWidth > html.clientWidth);
    assert.equal(overflow, false, 'no horizontal scrolling');
    await closeWindows();
  });

  test('saves a screenshot of two windows chatting side by side', async () => {
    const size = { width: 640, height: 720 };
    const ada = await (await openWindow(size)).join('Ada');
    const grace = await (await openWindow(size)).join('Grace');
    await ada.page.locator('#member-list button[data-nickname="Grace"]').click();
    await ada.send('Cake is on me on Friday, keep it quiet!');
    await grace.page.locator('#dm-list .badge', { hasText: '1' }).waitFor();
    await ada.joinRoom('release-party');
    await grace.joinRoom('release-party');
    await ada.send('Morning! Is the release still on for Friday?');
    await grace.waitForMessage('Morning! Is the release still on for Friday?');
    await grace.send('Yes. The build is green and the emulator deploy worked first time.');
    await ada.waitForMessage('Yes. The build is green and the emulator deploy worked first time.');
    await ada.send('Great. I will write the release notes:\n- what changed\n- how to roll back');
    await grace.page.locator('.msg-body', { hasText: 'how to roll back' }).waitFor();
    await grace.send('Perfect, ping me when they are up.');
    await ada.waitForMessage('Perfect, ping me when they are up.');
    await ada.page.locator('#composer-input').pressSequentially('Will do');
    await grace.page.locator('#typing-indicator', { hasText: 'Ada is typing…' }).waitFor();

    const png = await sideBySide(browser, await ada.page.screenshot(), await grace.page.screenshot(), size.width, size.height);
    const destination = screenshotPath();
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, png);
    console.log(`screenshot: ${destination}`);
    await closeWindows();
  });

  test('after the server restarts, the page says so, reconnects by itself, keeps its nickname and sends what waited', async (t) => {
    // Its own server, so that restarting it concerns no other test, on a port the OS does not hand
    // out meanwhile (test/helpers/non-ephemeral-port.ts).
    let own = await startChatServer({ port: await nonEphemeralPort() });
    const timeline = new Timeline();
    try {
      const name = uniqueNickname('alice');
      const alice = await ChatPage.open(browser, own.url);
      windows.push(alice);
      timeline.watch(alice);
      await timeline.step('join', alice.join(name));
      await alice.send('before the restart');
      await timeline.step('own message shown', alice.waitForMessage('before the restart'));

      const { port } = own;
      await timeline.step('server closed', own.close());
      await timeline.step('banner shown', alice.page.locator('#banner', { hasText: 'The server is restarting' }).waitFor());
      await timeline.step('status Reconnecting', alice.page.locator('#connection-status', { hasText: 'Reconnecting' }).waitFor());
      assert.equal(await alice.page.locator('#chat-view').isVisible(), true, 'the conversation stays on screen');
      await alice.send('queued until the server is back');
      await timeline.step('shown as pending', alice.page.locator('.msg.pending', { hasText: 'Waiting for connection' }).waitFor());

      // A fresh instance on the same address: it knows neither the session nor the history.
      own = await timeline.step('server started again', startChatServer({ port }));
      await timeline.step('status Connected', alice.page.locator('#connection-status', { hasText: 'Connected' }).waitFor({ timeout: 30_000 }));
      await timeline.step('pending sent', alice.page.locator('.msg.pending').first().waitFor({ state: 'detached' }));
      assert.equal(await alice.page.locator('#me-name').textContent(), name);
      assert.equal(await alice.page.locator('#banner').isVisible(), false, 'the notice is gone');
      assert.equal(await alice.countMessages('queued until the server is back'), 1);
      assert.equal(await alice.countMessages('before the restart'), 1, 'what was on screen stays, once');
      const bob = await ChatPage.open(browser, own.url);
      windows.push(bob);
      await bob.join(uniqueNickname('bob'));
      await timeline.step('delivered to another window', bob.waitForMessage('queued until the server is back'));
      await closeWindows();
    } catch (error) {
      // What the page and the test did, with times, so that a failure says where the time went.
      t.diagnostic(`timeline (s since the test began):\n${timeline.lines.join('\n')}`);
      throw error;
    } finally {
      await own.close();
    }
  });
});

/** Steps of a test and the page's connection attempts, each with the time it happened. */
class Timeline {
  readonly lines: string[] = [];
  private readonly began = Date.now();

  private note(what: string): void {
    this.lines.push(`${((Date.now() - this.began) / 1000).toFixed(2)} ${what}`);
  }

  async step<T>(name: string, done: Promise<T>): Promise<T> {
    const value = await done;
    this.note(name);
    return value;
  }

  watch(window: ChatPage): void {
    window.page.on('websocket', (socket) => {
      this.note(`websocket opening ${socket.url().replace(/^.*\?/, '?')}`);
      socket.on('socketerror', (error) => this.note(`websocket error ${error}`));
      socket.on('close', () => this.note('websocket closed'));
    });
    window.page.on('requestfailed', (request) => this.note(`request failed ${request.url().replace(/^.*\?/, '?')}: ${request.failure()?.errorText}`));
    window.page.on('console', (message) => this.note(`console ${message.type()}: ${message.text()}`));
  }
}

function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === element.ownerDocument.activeElement);
}
