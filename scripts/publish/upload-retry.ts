/**
 * A role assignment takes effect within minutes, not at once: until then Blob storage answers the
 * upload with HTTP 403 (AuthorizationPermissionMismatch). A storage account created a moment ago may
 * also not resolve in DNS yet. Publish retries those, for a bounded time, saying why it waits.
 */
export interface RetryOptions {
  /** Give up after this long; then the last error goes to the person with its fix. */
  timeoutMs: number;
  intervalMs: number;
  log: (line: string) => void;
  /** The role was assigned in this run; without that, a 403 will not go away by waiting. */
  roleJustAssigned: boolean;
  /** The account was created in this run. */
  accountJustCreated: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_ROLE_WAIT = { timeoutMs: 5 * 60_000, intervalMs: 15_000 };

export async function retryWhileAccessApplies<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const reason = waitable(error, options);
      const waited = Date.now() - started;
      if (!reason || waited + options.intervalMs > options.timeoutMs) throw error;
      options.log(`${reason}: retrying in ${seconds(options.intervalMs)} (waited ${seconds(waited)} of at most ${seconds(options.timeoutMs)})`);
      await sleep(options.intervalMs);
    }
  }
}

function waitable(error: unknown, options: RetryOptions): string | undefined {
  const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string };
  if (options.roleJustAssigned && statusCode === 403) {
    return `the Storage Blob Data Contributor role assigned just now is not in effect yet (HTTP 403 ${code ?? 'Forbidden'}); Azure takes up to a few minutes`;
  }
  if (options.accountJustCreated && /ENOTFOUND/.test(`${code} ${message}`)) return 'the new storage account\'s address does not resolve yet';
  return undefined;
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
