import { openInBrowser } from './open-in-browser.js';

export interface WaitOptions {
  /** How long the site may take to answer /healthz after the deployment finished. */
  timeoutMs?: number;
  intervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * `npm run publish ... --launch`: opens the deployed site once it answers GET /healthz with 200
 * (instances still starting answer 503 or nothing), so the browser lands on the chat, not on an
 * error page. A site that does not answer in time is named with its URL; publish still succeeds.
 */
export async function openWhenHealthy(url: string, say: (line: string) => void, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 10 * 60_000, intervalMs = 5000, env = process.env } = options;
  const healthz = new URL('healthz', url).href;
  const deadline = Date.now() + timeoutMs;
  say(`waiting for ${healthz} to answer 200 before opening the browser`);
  for (;;) {
    const status = await fetch(healthz, { signal: AbortSignal.timeout(Math.min(30_000, timeoutMs)) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() + intervalMs > deadline) {
      say(`cannot open a browser yet: ${healthz} has not answered 200 within ${timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} minutes` : `${timeoutMs / 1000} s`}; open ${url} once it does`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  openInBrowser(url, say, undefined, env);
}
