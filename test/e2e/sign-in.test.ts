import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test as nodeTest, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { startChatServer, type RunningChatServer } from '../helpers/chat-server.js';
import { type RunningOidcProvider, startOidcProvider, USERS } from '../helpers/oidc-provider.js';
import { ChatPage, launchBrowser } from './browser.js';

/**
 * AUTH_MODE=oidc in Chromium: people sign in through a real provider's login page (oidc-provider
 * on localhost; the chat on 127.0.0.1), chat under the name they signed in with, and sign out.
 */

const builtClient = new URL('../../WorkerRole1/dist/public/app.js', import.meta.url);
const CLIENT = { clientId: 'chatapp-browser', clientSecret: 'browser test client secret' };

let idp: RunningOidcProvider;
let chat: RunningChatServer;
let browser: Browser;
const windows: ChatPage[] = [];

const test = (name: string, fn: (t: TestContext) => Promise<void>) => nodeTest(name, { timeout: 60_000 }, fn);

/** Opens the chat, follows "Sign in with Microsoft" to the provider's login page and signs in there. */
async function signInThroughBrowser(login: string): Promise<ChatPage> {
  const window = await ChatPage.open(browser, chat.url);
  windows.push(window);
  const { page } = window;
  await page.locator('#sign-in-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login-form').isHidden(), true, 'no nickname form in oidc mode');
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${chat.url}/`);
  await window.chatVisible();
  return window;
}

describe('signing in with a provider, in a browser', () => {
  before(async () => {
    assert.ok(existsSync(builtClient), 'WorkerRole1/dist/public/app.js is missing: run `npm run build` first');
    idp = await startOidcProvider();
    chat = await startChatServer({ auth: { mode: 'oidc', issuer: idp.issuer, ...CLIENT } });
    idp.addClient(CLIENT, [chat.url]);
    browser = await launchBrowser();
  }, { timeout: 30_000 });

  after(async () => {
    for (const window of windows) await window.close();
    await browser?.close();
    await chat?.close();
    await idp?.close();
  });

  test('two people with the same name sign in, chat, and are told apart', async () => {
    const first = await signInThroughBrowser(USERS.alexA.login);
    const second = await signInThroughBrowser(USERS.alexB.login);
    const firstName = (await first.page.locator('#me-name').textContent()) ?? '';
    const secondName = (await second.page.locator('#me-name').textContent()) ?? '';
    assert.match(firstName, /^Alex Kim-[a-z0-9]{6}$/);
    assert.match(secondName, /^Alex Kim-[a-z0-9]{6}$/);
    assert.notEqual(firstName, secondName);
    assert.equal(await first.page.locator('#sign-out-link').isVisible(), true);

    await first.send('hello from the first Alex');
    await second.waitForMessage('hello from the first Alex');
    const sender = second.page.locator('#message-list .msg').filter({ hasText: 'hello from the first Alex' });
    assert.match((await sender.textContent()) ?? '', new RegExp(firstName));
    assert.deepEqual([...first.errors, ...second.errors], []);
  });

  test('signing out ends the chat for that browser and offers sign-in again', async () => {
    const window = await signInThroughBrowser(USERS.moderator.login);
    await window.page.locator('#sign-out-link').click();
    // oidc-provider asks whether to sign out of the provider too, as Entra ID does; yes.
    await window.page.waitForURL(new RegExp(`^${idp.issuer}/session/end`));
    await window.page.locator('button[autofocus], button[type="submit"]').first().click();
    await window.page.waitForURL(`${chat.url}/`);
    await window.page.locator('#sign-in-panel').waitFor({ state: 'visible' });
    assert.equal(await window.page.locator('#chat-view').isHidden(), true);
  });
});
