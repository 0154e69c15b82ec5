import { RestError, type TableServiceClientOptions } from '@azure/data-tables';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/**
 * How long a request to Table Storage may wait for its whole answer. The SDK waits for ever by
 * default, and a connection can hang (a peer gone without a reset, an answer lost): a transaction
 * without an answer would hold its room's later messages back for good (batch-writer.ts) and a
 * read would hold a join. The service answers well within this: a query returns what it found within 5 s, a
 * transaction is refused after 30 s only on the service's own timeout, which takes a busy account.
 * A transaction that is given up but did land is found by its retry: its rows are taken, the
 * retry conflicts, and the store reads the first copy (table-history-store.ts).
 */
export const STORAGE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A policy giving every request of the client `timeoutMs` for its whole answer, headers and body;
 * past that the request is aborted and fails as a RestError with no status, which the store
 * counts as transient. Our own timer rather than the pipeline's `request.timeout`, which stops at
 * the headers: an answer that stalls in its body would still wait for ever.
 */
export function storageRequestTimeout(timeoutMs: number): AdditionalPolicy {
  return {
    position: 'perCall',
    policy: {
      name: 'chatappStorageRequestTimeout',
      async sendRequest(request, next) {
        const deadline = new AbortController();
        const timer = setTimeout(() => deadline.abort(), timeoutMs);
        // A caller's own signal (none of ours passes one) still aborts the request.
        const callerSignal = request.abortSignal;
        const followCaller = () => deadline.abort();
        if (callerSignal?.aborted) deadline.abort();
        callerSignal?.addEventListener('abort', followCaller);
        request.abortSignal = deadline.signal;
        try {
          return await next(request);
        } catch (error) {
          if (deadline.signal.aborted && !callerSignal?.aborted) {
            throw new RestError(`no complete answer from Table Storage within ${timeoutMs} ms`, { code: 'STORAGE_REQUEST_TIMEOUT', request });
          }
          throw error;
        } finally {
          clearTimeout(timer);
          callerSignal?.removeEventListener('abort', followCaller);
        }
      },
    },
  };
}
