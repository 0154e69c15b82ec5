import { odata, RestError, TableClient, type TableServiceClientOptions, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../logger.js';
import { BacklogFullError, BatchWriter, OVERTAKE_WINDOW_MS, type SubmitResult, TRANSACTIONS_IN_FLIGHT_PER_PARTITION, WriterClosedError } from './batch-writer.js';
import {
  type AppendRequest,
  type AppendResult,
  type ChangeRequest,
  type ChangeResult,
  type HistoryQuery,
  type HistoryStore,
  HistoryUnavailableError,
  type StoredMessage,
} from './history-store.js';
import {
  ASCENDING_ROW_END,
  ascendingRowKey,
  dedupeRowKey,
  idFromAscendingRowKey,
  idFromMessageRowKey,
  MESSAGE_ROW_END,
  MESSAGE_ROW_PREFIX,
  messageRowKey,
  partitionKey,
} from './row-keys.js';
import { type MessageEntity, toMessageEntity, toStoredMessage } from './message-entity.js';
import { changeMessageRows } from './table-message-change.js';
import { describe, isTransient, RETRY_AFTER_MS, unavailable } from './table-errors.js';
import { STORAGE_REQUEST_TIMEOUT_MS, storageRequestTimeout } from './table-request-timeout.js';

/** How the store reaches its table: with the account's key, or with an Entra ID token (no key). */
export type TableAccess = { connectionString: string } | { endpoint: string; credential: TokenCredential };

export type TableHistoryOptions = TableAccess & {
  tableName: string;
  /** Messages waiting for storage, across conversations, before sends are refused. */
  writeQueueMax: number;
  /** How long a write may take before the message is delivered live without waiting for it. */
  liveDeliveryAfterMs: number;
  /** How long any request may wait for its answer before it fails as transient (STORAGE_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  logger: Logger;
};

type DedupeEntity = {
  partitionKey: string;
  rowKey: string;
  messageId: string;
  ts: number;
};

const MAX_ACTIONS_PER_TRANSACTION = 100;
const QUERY_PAGE_SIZE = 1000;

/**
 * History in Azure Table Storage (Azurite locally): a partition per conversation; each message as a
 * newest-first and an oldest-first row (row-keys.ts says why), and beside them a dedupe row keyed
 * by sender and clientId, all three in one transaction, so a resend on any instance finds the
 * first copy instead of storing a second.
 */
export class TableHistoryStore implements HistoryStore {
  private readonly client: TableClient;
  private readonly writer: BatchWriter<TransactionAction>;
  /** Appends still being written here, so a quick resend joins the first instead of racing it. */
  private readonly pending = new Map<string, Promise<AppendResult>>();
  /** The same appends by message id, so that a change of a message still queued waits for it. */
  private readonly appending = new Map<string, Promise<AppendResult>>();

  constructor(private readonly options: TableHistoryOptions) {
    // The batch writer retries for as long as storage is down; the SDK's own retries would only
    // hold a transaction back while newer writes pile up behind it.
    const clientOptions: TableServiceClientOptions = {
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [storageRequestTimeout(options.requestTimeoutMs ?? STORAGE_REQUEST_TIMEOUT_MS)],
    };
    this.client =
      'connectionString' in options
        ? TableClient.fromConnectionString(options.connectionString, options.tableName, {
            ...clientOptions,
            allowInsecureConnection: isLocalConnection(options.connectionString),
          })
        : // Storage Table Data Contributor is enough for everything here, creating the table included.
          new TableClient(options.endpoint, options.tableName, options.credential, clientOptions);
    this.writer = new BatchWriter({
      submit: (_partition, actions) => this.submit(actions),
      capacity: options.writeQueueMax,
      maxActionsPerBatch: MAX_ACTIONS_PER_TRANSACTION,
      inFlightPerPartition: TRANSACTIONS_IN_FLIGHT_PER_PARTITION,
      overtakeWindowMs: OVERTAKE_WINDOW_MS,
      initialBackoffMs: 200,
      maxBackoffMs: 5000,
      logger: options.logger,
    });
  }

  async init(): Promise<void> {
    try {
      await this.client.createTable();
    } catch (error) {
      // A token refused (403) almost always means the identity has no data role on the account yet.
      const hint =
        'credential' in this.options && error instanceof RestError && error.statusCode === 403
          ? ' (STORAGE_TABLE_ENDPOINT: does the identity have Storage Table Data Contributor on the account?)'
          : '';
      throw new Error(`cannot reach history table "${this.options.tableName}": ${describe(error)}${hint}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.writer.close();
  }

  append(request: AppendRequest, onDelayed?: (message: StoredMessage) => void): Promise<AppendResult> {
    const partition = partitionKey(request.message.conversation);
    const dedupeKey = dedupeRowKey(request.senderKey, request.message.clientId);
    const pendingKey = `${partition}\n${dedupeKey}`;
    const inProgress = this.pending.get(pendingKey);
    if (inProgress) return inProgress.then(({ message }) => ({ message, created: false }));

    const { id } = request.message;
    const appended = this.write(request, partition, dedupeKey, onDelayed).finally(() => {
      this.pending.delete(pendingKey);
      this.appending.delete(id);
    });
    this.pending.set(pendingKey, appended);
    this.appending.set(id, appended);
    return appended;
  }

  /**
   * A change of a message still in this instance's write queue waits for its append, so that it
   * is neither lost under the append nor tried before it. Changes do not go through the queue:
   * each is a conditional transaction of its own (table-message-change.ts).
   */
  async change(request: ChangeRequest): Promise<ChangeResult> {
    await this.appending.get(request.id)?.catch(() => undefined);
    return changeMessageRows(this.client, partitionKey(request.conversation), request);
  }

  async find(conversation: string, senderKey: string, clientId: string): Promise<StoredMessage | undefined> {
    const partition = partitionKey(conversation);
    const dedupeKey = dedupeRowKey(senderKey, clientId);
    const pending = this.pending.get(`${partition}\n${dedupeKey}`);
    if (pending) return (await pending).message;
    try {
      return await this.readFirstCopy(conversation, partition, dedupeKey);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async list(conversation: string, { before, after, limit }: HistoryQuery): Promise<StoredMessage[]> {
    const partition = partitionKey(conversation);
    // With `after`, the oldest-first rows: from just after `after`, up to `before` if given.
    // Otherwise the newest-first rows, where "older than before" is a greater RowKey.
    const [lowest, highest, toId] =
      after === undefined
        ? [before === undefined ? MESSAGE_ROW_PREFIX : messageRowKey(before), MESSAGE_ROW_END, idFromMessageRowKey]
        : [ascendingRowKey(after), before === undefined ? ASCENDING_ROW_END : ascendingRowKey(before), idFromAscendingRowKey];
    const filter = odata`PartitionKey eq ${partition} and RowKey gt ${lowest} and RowKey lt ${highest}`;
    try {
      const messages: StoredMessage[] = [];
      for await (const page of this.client.listEntities<MessageEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: limit })) {
        for (const entity of page) messages.push(toStoredMessage(entity, conversation, toId));
        if (messages.length >= limit) break;
      }
      const window = messages.slice(0, limit);
      return after === undefined ? window.reverse() : window;
    } catch (error) {
      throw unavailable('reading history failed', error);
    }
  }

  /** Page by page, a transaction per partition of each page. */
  async purgeOlderThan(ts: number): Promise<number> {
    const old = this.client.listEntities({ queryOptions: { filter: odata`ts lt ${ts}`, select: ['PartitionKey', 'RowKey'] } });
    let purgedMessages = 0;
    for await (const page of old.byPage({ maxPageSize: QUERY_PAGE_SIZE })) {
      const byPartition = new Map<string, string[]>();
      for (const { partitionKey: partition, rowKey } of page) {
        byPartition.set(partition!, [...(byPartition.get(partition!) ?? []), rowKey!]);
      }
      for (const [partition, rows] of byPartition) {
        for (let start = 0; start < rows.length; start += MAX_ACTIONS_PER_TRANSACTION) {
          const chunk = rows.slice(start, start + MAX_ACTIONS_PER_TRANSACTION);
          await this.deleteRows(partition, chunk);
          purgedMessages += chunk.filter((rowKey) => rowKey.startsWith(MESSAGE_ROW_PREFIX)).length;
        }
      }
    }
    return purgedMessages;
  }

  /**
   * A transaction fails whole when one row is already gone, which is what happens when another
   * instance purges at the same time; then each row goes alone, and "already gone" counts as done.
   */
  private async deleteRows(partition: string, rowKeys: string[]): Promise<void> {
    try {
      await this.client.submitTransaction(rowKeys.map((rowKey) => ['delete', { partitionKey: partition, rowKey }]));
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
      for (const rowKey of rowKeys) {
        await this.client.deleteEntity(partition, rowKey).catch((single: unknown) => {
          if (!(single instanceof RestError && single.statusCode === 404)) throw single;
        });
      }
    }
  }

  private async write(
    { message, senderKey }: AppendRequest,
    partition: string,
    dedupeKey: string,
    onDelayed: ((message: StoredMessage) => void) | undefined,
  ): Promise<AppendResult> {
    const entity = toMessageEntity(message, partition, messageRowKey(message.id));
    const dedupe: DedupeEntity = { partitionKey: partition, rowKey: dedupeKey, messageId: message.id, ts: message.ts };
    const delayed = onDelayed && setTimeout(() => onDelayed(message), this.options.liveDeliveryAfterMs);
    try {
      const ascending: MessageEntity = { ...entity, rowKey: ascendingRowKey(message.id) };
      const outcome = await this.writer.write({ partition, actions: [['create', dedupe], ['create', entity], ['create', ascending]] });
      if (outcome === 'stored') return { message, created: true };
      return { message: await this.readFirstCopy(message.conversation, partition, dedupeKey), created: false };
    } catch (error) {
      if (error instanceof BacklogFullError || error instanceof WriterClosedError) {
        throw new HistoryUnavailableError(error.message, RETRY_AFTER_MS);
      }
      throw error;
    } finally {
      clearTimeout(delayed);
    }
  }

  private async readFirstCopy(conversation: string, partition: string, dedupeKey: string): Promise<StoredMessage> {
    try {
      const dedupe = await this.client.getEntity<DedupeEntity>(partition, dedupeKey);
      const entity = await this.client.getEntity<MessageEntity>(partition, messageRowKey(dedupe.messageId));
      return toStoredMessage(entity, conversation, idFromMessageRowKey);
    } catch (error) {
      throw unavailable('reading the first copy of a resent message failed', error);
    }
  }

  private async submit(actions: TransactionAction[]): Promise<SubmitResult> {
    try {
      await this.client.submitTransaction(actions);
      return 'stored';
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) return 'conflict';
      if (isTransient(error)) return { transient: error as Error };
      return { failed: error instanceof Error ? error : new Error(String(error)) };
    }
  }
}

/** Azurite speaks plain HTTP; a storage account in Azure must not. */
function isLocalConnection(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|Endpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString);
}
