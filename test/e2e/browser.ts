import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and a small page
 * object for the chat client, so the tests read as what a person does.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 10_000;
const BROWSER_NETWORK_ERROR = /net::ERR_|WebSocket connection to .* failed/;

/**
 * Playwright's own --disable-features list (playwright-core 1.65, src/server/chromium/
 * chromiumSwitches.ts): mostly what would reach Google when the browser starts. Chromium heeds only
 * the last --disable-features it is given, so ours has to carry these too.
 */
const PLAYWRIGHT_VERSION = '1.65.';
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];
/**
 * Chromium gives every window the address bar's drop-down as a page of its own, ready in a renderer
 * (chrome://omnibox-popup.top-chrome/), even headless, where no one can open it. A test opens a
 * window per person, a context each: those renderers were about a third of a browser test file's
 * CPU (measured: 10 windows, 8-10 CPU s with them, 4-4.5 without).
 */
const UNSEEN_BROWSER_UI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

export async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const { version } = createRequire(import.meta.url)('playwright-core/package.json') as { version: string };
  assert.ok(
    version.startsWith(PLAYWRIGHT_VERSION),
    `playwright-core ${version}: bring PLAYWRIGHT_DISABLED_FEATURES in test/e2e/browser.ts up to its chromiumSwitches.ts, which ours replaces`,
  );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNSEEN_BROWSER_UI].join(',')}`,
    ],
  });
}

let counter = 0;
/** A nickname no earlier test (or earlier run against the same server) used: `alice-3k9x`. */
export function uniqueNickname(base: string): string {
  counter += 1;
  return `${base}-${counter}${Math.random().toString(36).slice(2, 5)}`;
}

export function uniqueRoom(base: string): string {
  return uniqueNickname(base).toLowerCase();
}

export class ChatPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly errors: string[],
  ) {}

  /** A new window (its own context, so its own sessionStorage) on the chat. */
  static async open(browser: Browser, url: string, viewport = { width: 640, height: 720 }): Promise<ChatPage> {
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    // Traffic stays on loopback: a page that asks for more (the test provider's web fonts) goes without.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/]|\[::1\][:/])/, (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The browser itself logs failed connections while offline; those are not the app's errors.
      if (message.type() === 'error' && !BROWSER_NETWORK_ERROR.test(message.text())) errors.push(message.text());
    });
    await page.goto(url);
    return new ChatPage(context, page, errors);
  }

  async submitNickname(nickname: string): Promise<void> {
    await this.page.locator('#nickname-input').fill(nickname);
    await this.page.locator('#nickname-input').press('Enter');
  }

  /** Picks a nickname and waits for the chat, in the lobby. */
  async join(nickname: string): Promise<this> {
    await this.submitNickname(nickname);
    await this.chatVisible();
    await this.page.locator('#conversation-title', { hasText: '#lobby' }).waitFor();
    return this;
  }

  async chatVisible(): Promise<void> {
    await this.page.locator('#chat-view').waitFor({ state: 'visible' });
    await this.page.locator('#overlay').waitFor({ state: 'hidden' });
  }

  /** Types a message and presses Enter, as a person would. */
  async send(text: string): Promise<void> {
    const input = this.page.locator('#composer-input');
    const [first, ...rest] = text.split('\n');
    await input.fill(first ?? '');
    for (const line of rest) {
      await input.press('Shift+Enter');
      await input.pressSequentially(line);
    }
    await input.press('Enter');
  }

  /** Message bodies in the open conversation that contain `text`. */
  messages(text: string): Locator {
    return this.page.locator('#message-list .msg-body').filter({ hasText: text });
  }

  /** How many message bodies in the open conversation read exactly `text`. */
  async countMessages(text: string): Promise<number> {
    return this.page
      .locator('#message-list .msg-body')
      .evaluateAll((bodies, wanted) => bodies.filter((body) => body.textContent === wanted).length, text);
  }

  /** Waits until a message reading exactly `text` is shown in the open conversation. */
  async waitForMessage(text: string): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    await this.messages(text).first().waitFor();
    while ((await this.countMessages(text)) === 0) {
      assert.ok(Date.now() < deadline, `no message reading exactly ${JSON.stringify(text)}`);
      await this.page.waitForTimeout(50);
    }
  }

  async joinRoom(room: string): Promise<void> {
    await this.page.locator('#room-input').fill(room);
    await this.page.locator('#room-input').press('Enter');
    await this.page.locator('#conversation-title', { hasText: `#${room}` }).waitFor();
  }

  /** The ids of the messages shown, in the order shown. */
  async shownIds(): Promise<string[]> {
    return this.page.locator('#message-list .msg[data-id]').evaluateAll((items) => items.map((item) => item.getAttribute('data-id') ?? ''));
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** Puts two screenshots side by side (with a thin divider) into one PNG. */
export async function sideBySide(browser: Browser, left: Buffer, right: Buffer, width: number, height: number): Promise<Buffer> {
  const gap = 8;
  const context = await browser.newContext({ viewport: { width: width * 2 + gap, height } });
  try {
    const page = await context.newPage();
    const image = (png: Buffer) => `<img src="data:image/png;base64,${png.toString('base64')}" width="${width}" height="${height}" alt="">`;
    // setContent waits for the load event, so both images are decoded before the screenshot.
    await page.setContent(
      `<!doctype html><body style="margin:0;display:flex;gap:${gap}px;background:#9ca3af">${image(left)}${image(right)}</body>`,
    );
    return await page.screenshot();
  } finally {
    await context.close();
  }
}
