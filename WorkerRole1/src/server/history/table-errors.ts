import { RestError } from '@azure/data-tables';
import { HistoryUnavailableError } from './history-store.js';

/** How long a client waits before retrying what Table Storage could not do. */
export const RETRY_AFTER_MS = 5000;

/** Network errors, throttling (429, 503 ServerBusy) and other 5xx pass; anything else is a bug. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof RestError)) return true;
  const status = error.statusCode;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

export function unavailable(what: string, error: unknown): Error {
  return isTransient(error) ? new HistoryUnavailableError(`${what}: ${describe(error)}`, RETRY_AFTER_MS) : (error as Error);
}

export function describe(error: unknown): string {
  if (error instanceof RestError) return `${error.statusCode ?? error.code ?? 'network error'} ${error.message.split('\n')[0]}`;
  return error instanceof Error ? error.message : String(error);
}
