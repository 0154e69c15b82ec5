import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { decodeTime } from 'ulid';
import { type ChangeRequest, type ChangeResult, HistoryUnavailableError } from './history-store.js';
import { applyChange } from './message-change.js';
import { type MessageEntity, toMessageEntity, toStoredMessage } from './message-entity.js';
import { ascendingRowKey, idFromMessageRowKey, messageRowKey } from './row-keys.js';
import { unavailable } from './table-errors.js';

/** Contended changes retry this often before the client is asked to retry later. */
const MAX_ATTEMPTS = 8;
/**
 * A message this young may still wait in another instance's write queue (it was delivered live
 * before it was stored): not finding it means "retry", not "no such message".
 */
const STILL_STORING_MS = 30_000;
const STILL_STORING_RETRY_MS = 1000;

/**
 * Changes both rows of a message (newest-first and oldest-first, row-keys.ts) in one transaction,
 * each row conditional on the ETag it was read with. A change that landed in between, from any
 * instance, fails the whole transaction (412) and this one starts again from what is stored now:
 * every change applies to the latest state, and the two rows never disagree.
 */
export async function changeMessageRows(client: TableClient, partition: string, request: ChangeRequest): Promise<ChangeResult> {
  const rowKeys = [messageRowKey(request.id), ascendingRowKey(request.id)];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    let rows: MessageEntity[];
    try {
      rows = await Promise.all(rowKeys.map((rowKey) => client.getEntity<MessageEntity>(partition, rowKey)));
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw unavailable('reading the message to change failed', error);
      if (Math.abs(request.change.at - decodeTime(request.id)) < STILL_STORING_MS) {
        throw new HistoryUnavailableError('that message is still being stored; retry', STILL_STORING_RETRY_MS);
      }
      return { outcome: 'missing' };
    }
    const result = applyChange(toStoredMessage(rows[0]!, request.conversation, idFromMessageRowKey), request);
    if (result.outcome !== 'changed') return result;
    const actions: TransactionAction[] = rows.map((row) => [
      'update',
      toMessageEntity(result.message, partition, row.rowKey),
      'Replace',
      { etag: (row as MessageEntity & { etag: string }).etag },
    ]);
    try {
      await client.submitTransaction(actions);
      return result;
    } catch (error) {
      // 412: another change landed since the read. 404: the message went (retention) since the read.
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 404)) continue;
      throw unavailable('storing the change failed', error);
    }
  }
  throw new HistoryUnavailableError('that message is being changed by others right now; retry', STILL_STORING_RETRY_MS);
}
