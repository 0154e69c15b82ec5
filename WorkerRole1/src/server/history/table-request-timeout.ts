import { RestError, type TableServiceClientOptions } from '@azure/data-tables';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/**
 * How long a request to Table Storage may wait for its answer. The SDK waits forever by default,
 * and a connection can hang (a peer gone without a reset, an answer lost): a transaction without
 * an answer would hold its room's later messages back for good (batch-writer.ts) and a read would
 * hold a join. The service answers well within this: a query returns what it found within 5 s, a
 * transaction is refused after 30 s only on the service's own timeout, which takes a busy account.
 * A transaction that is given up but did land is found by its retry: its rows are taken, the
 * retry conflicts, and the store reads the first copy (table-history-store.ts).
 */
export const STORAGE_REQUEST_TIMEOUT_MS = 10_000;

export const STORAGE_REQUEST_TIMEOUT_CODE = 'STORAGE_REQUEST_TIMEOUT';

/**
 * A policy giving every request of the client `timeoutMs` for its answer's headers; past that
 * the request fails as a RestError with no status, which the store counts as transient.
 */
export function storageRequestTimeout(timeoutMs: number): AdditionalPolicy {
  return {
    position: 'perCall',
    policy: {
      name: 'chatappStorageRequestTimeout',
      async sendRequest(request, next) {
        if (request.timeout === 0) request.timeout = timeoutMs;
        try {
          return await next(request);
        } catch (error) {
          // The SDK's timeout ends in the same AbortError as a caller's abort; only one of them is ours.
          if (error instanceof Error && error.name === 'AbortError' && !request.abortSignal?.aborted) {
            throw new RestError(`no answer from Table Storage within ${request.timeout} ms`, { code: STORAGE_REQUEST_TIMEOUT_CODE, request });
          }
          throw error;
        }
      },
    },
  };
}
