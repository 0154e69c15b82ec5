import type { Logger } from '../logger.js';

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

  constructor(private readonly options: BatchWriterOptions<Action>) {}

  get size(): number {
    return this.backlog;
  }

  write(job: WriteJob<Action>): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(new Error('the history writer is closed'));
    if (this.backlog >= this.options.capacity) {
      return Promise.reject(new BacklogFullError(`${this.backlog} history writes are waiting for storage`));
    }
    this.backlog += 1;
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

  /** Refuses new writes; queued ones keep retrying, and their callers' acks wait for them. */
  close(): void {
    this.closed = true;
  }

  private async drain(partition: string): Promise<void> {
    const queue = this.queues.get(partition)!;
    let backoffMs = this.options.initialBackoffMs;
    while (queue.length > 0) {
      const batch = this.takeBatch(queue);
      const result = await this.options.submit(partition, batch.flatMap((job) => job.actions));
      if (result === 'stored' || (result === 'conflict' && batch.length === 1)) {
        queue.splice(0, batch.length);
        this.settle(batch, (job) => job.resolve(result));
        backoffMs = this.options.initialBackoffMs;
      } else if (result === 'conflict') {
        for (const job of batch) job.alone = true;
      } else if ('transient' in result) {
        this.options.logger.warn({ err: result.transient, partition, waiting: this.backlog, retryInMs: backoffMs }, 'history write failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, this.options.maxBackoffMs);
      } else {
        queue.splice(0, batch.length);
        this.settle(batch, (job) => job.reject(result.failed));
      }
    }
    this.queues.delete(partition);
    this.draining.delete(partition);
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
    for (const job of batch) settleJob(job);
  }
}
