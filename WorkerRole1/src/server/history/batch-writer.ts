import type { Logger } from '../logger.js';
import { historyTelemetry } from '../telemetry/instruments.js';

/**
 * Groups the writes of one partition into Table Storage batch transactions, one transaction in
 * flight per partition so writes land in order, and retries transient failures with backoff for
 * as long as it takes. The backlog is bounded: when it is full, new writes are refused at once
 * so the caller can say "retry later" instead of queueing without limit.
 */

export type WriteOutcome = 'stored' | 'conflict';

export interface WriteJob<Action> {
  partition: string;
  /** Written all-or-nothing, in one transaction. */
  actions: Action[];
}

export type SubmitResult = 'stored' | 'conflict' | { transient: Error } | { failed: Error };

export interface BatchWriterOptions<Action> {
  submit(partition: string, actions: Action[]): Promise<SubmitResult>;
  /** Jobs waiting or in flight, across partitions, before `write` refuses. */
  capacity: number;
  maxActionsPerBatch: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  logger: Logger;
}

export class BacklogFullError extends Error {
  override name = 'BacklogFullError';
}

export class WriterClosedError extends Error {
  override name = 'WriterClosedError';
}

interface QueuedJob<Action> extends WriteJob<Action> {
  /** After a batch conflicted, each of its jobs goes alone to learn which one conflicts. */
  alone: boolean;
  resolve(outcome: WriteOutcome): void;
  reject(error: Error): void;
}

export class BatchWriter<Action> {
  private readonly queues = new Map<string, QueuedJob<Action>[]>();
  private readonly draining = new Set<string>();
  private backlog = 0;
  private closed = false;
  /** Jobs whose transaction is on its way to storage. */
  private readonly sending = new Set<QueuedJob<Action>>();
  /** End the backoff waits early when the writer closes. */
  private readonly backoffWakers = new Set<() => void>();

  constructor(private readonly options: BatchWriterOptions<Action>) {}

  write(job: WriteJob<Action>): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(new Error('the history writer is closed'));
    if (this.backlog >= this.options.capacity) {
      return Promise.reject(new BacklogFullError(`${this.backlog} history writes are waiting for storage`));
    }
    this.backlog += 1;
    historyTelemetry.queued();
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(job.partition);
      if (!queue) {
        queue = [];
        this.queues.set(job.partition, queue);
      }
      queue.push({ ...job, alone: false, resolve, reject });
      // Started on the next turn so that writes arriving together share a transaction.
      if (!this.draining.has(job.partition)) {
        this.draining.add(job.partition);
        setImmediate(() => void this.drain(job.partition));
      }
    });
  }

  /**
   * Refuses new writes and gives up on the queued ones (their callers get `WriterClosedError`);
   * transactions already sent settle as storage answers. Shutdown calls it after in-flight acks
   * had their chance.
   */
  close(): void {
    this.closed = true;
    for (const wake of this.backoffWakers) wake();
    for (const queue of this.queues.values()) {
      const abandoned = queue.filter((job) => !this.sending.has(job));
      queue.splice(0, queue.length, ...queue.filter((job) => this.sending.has(job)));
      this.settle(abandoned, (job) => job.reject(new WriterClosedError('the history writer closed before this write landed')));
    }
  }

  private async drain(partition: string): Promise<void> {
    const queue = this.queues.get(partition)!;
    let backoffMs = this.options.initialBackoffMs;
    while (queue.length > 0 && !(this.closed && this.sending.size === 0)) {
      const batch = this.takeBatch(queue);
      for (const job of batch) this.sending.add(job);
      const sentAt = performance.now();
      const result = await this.options.submit(partition, batch.flatMap((job) => job.actions));
      historyTelemetry.transaction(performance.now() - sentAt, batch.length, typeof result === 'string' ? result : Object.keys(result)[0]!);
      for (const job of batch) this.sending.delete(job);
      if (result === 'stored' || (result === 'conflict' && batch.length === 1)) {
        queue.splice(0, batch.length);
        this.settle(batch, (job) => job.resolve(result));
        backoffMs = this.options.initialBackoffMs;
      } else if (result === 'conflict') {
        for (const job of batch) job.alone = true;
      } else if ('transient' in result) {
        this.options.logger.warn({ err: result.transient, partition, waiting: this.backlog, retryInMs: backoffMs }, 'history write failed; retrying');
        historyTelemetry.retried();
        await this.backoff(backoffMs);
        backoffMs = Math.min(backoffMs * 2, this.options.maxBackoffMs);
      } else {
        queue.splice(0, batch.length);
        this.settle(batch, (job) => job.reject(result.failed));
      }
      if (this.closed) this.close();
    }
    this.queues.delete(partition);
    this.draining.delete(partition);
  }

  private backoff(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.backoffWakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.backoffWakers.add(wake);
    });
  }

  private takeBatch(queue: QueuedJob<Action>[]): QueuedJob<Action>[] {
    const first = queue[0]!;
    if (first.alone) return [first];
    const batch = [first];
    let actions = first.actions.length;
    for (const job of queue.slice(1)) {
      if (job.alone || actions + job.actions.length > this.options.maxActionsPerBatch) break;
      batch.push(job);
      actions += job.actions.length;
    }
    return batch;
  }

  private settle(batch: QueuedJob<Action>[], settleJob: (job: QueuedJob<Action>) => void): void {
    this.backlog -= batch.length;
    historyTelemetry.settled(batch.length);
    for (const job of batch) settleJob(job);
  }
}
