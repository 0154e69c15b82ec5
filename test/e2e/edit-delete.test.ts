import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { MODERATOR_ROLE } from '../../WorkerRole1/src/server/sessions/roles.js';
import { startChatServer, type RunningChatServer } from '../helpers/chat-server.js';
import { closeClients, joinRoom, okValue, request, startSession } from '../helpers/clients.js';
import { ChatPage, launchBrowser, uniqueNickname, uniqueRoom } from './browser.js';

/**
 * Editing and deleting in the browser client against the real server, in headless Chromium, and
 * moderation as moderators and the removed see it. Who is a moderator comes from a handshake
 * middleware of the test (auth.moderator for a Socket.IO client, a test-moderator cookie for a
 * page): sign-in plays that part in AUTH_MODE=oidc, whose own suite signs a moderator in for real.
 */

const builtClient = new URL('../../WorkerRole1/dist/public/app.js', import.meta.url);
let server: RunningChatServer;
let browser: Browser;
const windows: ChatPage[] = [];

async function openWindow(): Promise<ChatPage> {
  const window = await ChatPage.open(browser, server.url);
  windows.push(window);
  return window;
}

/** Answers the page's next prompt or confirm dialog. */
function answerNextDialog(window: ChatPage, answer?: string): void {
  window.page.once('dialog', (dialog) => void (answer === undefined ? dialog.accept() : dialog.accept(answer)));
}

describe('editing, deleting and removals in a browser', { timeout: 90_000 }, () => {
  before(async () => {
    assert.ok(existsSync(builtClient), 'WorkerRole1/dist/public/app.js is missing: run `npm run build` first');
    server = await startChatServer();
    server.server.io.use((socket, next) => {
      const cookie = /(?:^|; )test-moderator=([^;]+)/.exec(socket.handshake.headers.cookie ?? '')?.[1];
      const name = (socket.handshake.auth as { moderator?: string }).moderator ?? cookie;
      if (name) socket.data.identity = { id: `test/${name}`, name, roles: [MODERATOR_ROLE], expiresAt: Date.now() + 3_600_000 };
      next();
    });
    browser = await launchBrowser();
  });

  after(async () => {
    closeClients();
    for (const window of windows) {
      assert.deepEqual(window.errors, [], 'the page logged no errors');
      await window.close();
    }
    await browser?.close();
    await server?.close();
  });

  it('edits and deletes one\'s own message, seen live in the other window as text, marked edited, then as deleted', async () => {
    const alice = await (await openWindow()).join(uniqueNickname('alice'));
    const bob = await (await openWindow()).join(uniqueNickname('bob'));
    await alice.send('teh plan');
    await bob.waitForMessage('teh plan');
    assert.equal(await bob.page.locator('#message-list .msg', { hasText: 'teh plan' }).locator('button[data-action]').count(), 0, "no Edit or Delete on someone else's message");

    const edited = '<b>the</b> plan';
    answerNextDialog(alice, edited);
    await alice.page.locator('#message-list .msg', { hasText: 'teh plan' }).locator('button[data-action="edit"]').click();
    await bob.waitForMessage(edited);
    const row = bob.page.locator('#message-list .msg', { hasText: edited });
    await row.locator('.msg-edited').waitFor();
    assert.equal(await row.locator('b').count(), 0, 'the edited text is text, not markup');
    assert.equal(await bob.countMessages('teh plan'), 0);

    answerNextDialog(alice);
    await alice.page.locator('#message-list .msg', { hasText: edited }).locator('button[data-action="delete"]').click();
    for (const window of [alice, bob]) {
      await window.page.locator('#message-list .msg-tombstone', { hasText: 'This message was deleted.' }).waitFor();
      assert.equal(await window.countMessages(edited), 0, 'the text is gone');
    }
    await bob.page.reload();
    await bob.chatVisible();
    await bob.page.locator('#message-list .msg-tombstone').first().waitFor();
    assert.equal(await bob.countMessages(edited), 0, 'history after a reload shows the tombstone, not the text');
  });

  it("gives a moderator Delete on everyone's messages and Remove beside each member, and both take effect for the others", async () => {
    const room = uniqueRoom('moderated');
    const moderator = await openWindow();
    const modName = uniqueNickname('mod');
    await moderator.context.addCookies([{ name: 'test-moderator', value: modName, url: server.url }]);
    await moderator.page.reload();
    await moderator.join(modName);
    await moderator.joinRoom(room);
    const bob = await (await openWindow()).join(uniqueNickname('bob'));
    await bob.joinRoom(room);
    const bobName = (await bob.page.locator('#me-name').textContent()) ?? '';

    await bob.send('buy cheap pills');
    await moderator.waitForMessage('buy cheap pills');
    const spam = moderator.page.locator('#message-list .msg', { hasText: 'buy cheap pills' });
    assert.equal(await spam.locator('button[data-action="edit"]').count(), 0, "a moderator cannot edit someone else's message");
    answerNextDialog(moderator);
    await spam.locator('button[data-action="delete"]').click();
    await bob.page.locator('#message-list .msg-tombstone').waitFor();
    assert.equal(await bob.countMessages('buy cheap pills'), 0);

    assert.equal(await bob.page.locator('#member-list button[data-remove]').count(), 0, 'no Remove for someone without the role');
    answerNextDialog(moderator, '5');
    await moderator.page.locator(`#member-list button[data-remove="${bobName}"]`).click();
    await bob.page.locator('#banner', { hasText: `removed you from #${room}` }).waitFor();
    await moderator.page.locator('#message-list .notice', { hasText: `${bobName} was removed from the room` }).waitFor();
  });

  it('tells a person a moderator removed from a room, takes the room from their sidebar, and refuses it until then', async () => {
    const room = uniqueRoom('removal');
    const mallory = await (await openWindow()).join(uniqueNickname('mallory'));
    await mallory.joinRoom(room);
    await mallory.page.locator('#room-list .conv-name', { hasText: room }).waitFor();
    const modName = uniqueNickname('mod');
    const moderator = await startSession(server.url, modName, { client: { auth: { moderator: modName } } });
    await joinRoom(moderator.socket, room);
    const nickname = (await mallory.page.locator('#me-name').textContent()) ?? '';
    okValue(await request(moderator.socket, 'room:remove', { room, nickname, durationMs: 10 * 60_000 }));

    await mallory.page.locator('#banner', { hasText: `removed you from #${room}` }).waitFor();
    await mallory.page.locator('#room-list .conv-name', { hasText: room }).waitFor({ state: 'detached' });
    await mallory.page.locator('#room-input').fill(room);
    await mallory.page.locator('#room-input').press('Enter');
    await mallory.page.locator('#room-error', { hasText: 'removed you' }).waitFor();
  });
});
