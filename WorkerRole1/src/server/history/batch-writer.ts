import { LIMITS } from '../../shared/protocol.js';
import type { Logger } from '../logger.js';
import { historyTelemetry } from '../telemetry/instruments.js';

/**
 * Groups the writes of one partition into Table Storage batch transactions, a few of them in
 * flight per partition at once, and retries transient failures with backoff for as long as it
 * takes. Whatever order they land in, writes settle in the order they were made: a transaction
 * that lands early waits until every earlier write has settled, so a room's messages, delivered
 * once stored, are still delivered in order. The backlog is bounded: when it is full, new writes
 * are refused at once so the caller can say "retry later" instead of queueing without limit.
 *
 * Only writes whose order of landing does not matter belong here: creates of new rows under
 * distinct keys, such as a message's rows (keyed by its ULID) and its dedupe row. Two of those
 * commute; a create that finds its row taken conflicts whichever landed first. Anything that
 * depends on an earlier write having landed (a change, a delete) goes around the writer and waits
 * for the write it depends on to settle (table-history-store.ts `change`).
 */

/**
 * Transactions of one partition in flight at once. With one, a busy room's messages queue behind
 * each round trip: most of a stored message's wait under load was that queue, not the transaction
 * (bench/README.md, "A stored message"). A few overlap the round trips; more would only split the
 * same messages into more, smaller transactions, each costing the instance and storage a request.
 */
export const TRANSACTIONS_IN_FLIGHT_PER_PARTITION = 3;

/**
 * How long after a transaction of a partition was first sent later ones may still be sent beside
 * it; past that, nothing more of the partition is sent until it settles. A later transaction can
 * land before an earlier one, and a browser that read the later message catches up from
 * `LIMITS.catchUpMarginMs` before its id (docs/protocol.md, History): an earlier message stored
 * after a later one is found only if its id is within the margin of the later one's. With this
 * window, a message stored first got its id less than the window after the earlier one's
 * transaction was sent; half the margin leaves the other half for the earlier message's wait in
 * the queue before that and for a stalled event loop. Without it, a transaction that hangs (until
 * its request times out, table-request-timeout.ts, well past the margin) would let the room's
 * later messages keep landing past the margin while it is out.
 */
export const OVERTAKE_WINDOW_MS = LIMITS.catchUpMarginMs / 2;

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
  /** Transactions of one partition on their way to storage at once. */
  inFlightPerPartition: number;
  /** How long after a transaction was first sent others of its partition may still be sent beside it. */
  overtakeWindowMs: number;
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
  sending: boolean;
  /** When a transaction first carried it (performance.now()); it is out since then, retries included. */
  firstSentAt?: number;
  /** Storage's final answer, applied once every earlier job of the partition has settled. */
  outcome?: (job: QueuedJob<Action>) => void;
  resolve(outcome: WriteOutcome): void;
  reject(error: Error): void;
}

interface Partition<Action> {
  /** Jobs not settled yet, in the order they were written. */
  jobs: QueuedJob<Action>[];
  inFlight: Set<Transaction>;
  /** A send is due on the next turn, so that writes arriving together share a transaction. */
  scheduled: boolean;
  /** After a transient failure: one transaction at a time, each after a wait, until one is stored. */
  retrying: boolean;
  backoffMs: number;
  backoff?: NodeJS.Timeout;
}

interface Transaction {
  /** When the earliest of its jobs was first sent. */
  since: number;
  /** It was past the overtake window with a write waiting behind it (logged once). */
  holding: boolean;
}

export class BatchWriter<Action> {
  private readonly partitions = new Map<string, Partition<Action>>();
  private backlog = 0;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<Action>) {}

  write(job: WriteJob<Action>): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(new Error('the history writer is closed'));
    if (this.backlog >= this.options.capacity) {
      return Promise.reject(new BacklogFullError(`${this.backlog} history writes are waiting for storage`));
    }
    this.backlog += 1;
    historyTelemetry.queued();
    return new Promise((resolve, reject) => {
      let partition = this.partitions.get(job.partition);
      if (!partition) {
        partition = { jobs: [], inFlight: new Set(), scheduled: false, retrying: false, backoffMs: this.options.initialBackoffMs };
        this.partitions.set(job.partition, partition);
      }
      partition.jobs.push({ ...job, alone: false, sending: false, resolve, reject });
      if (!partition.scheduled) {
        partition.scheduled = true;
        setImmediate(() => {
          partition.scheduled = false;
          this.send(job.partition);
        });
      }
    });
  }

  /**
   * Refuses new writes and gives up on the jobs not sent (their callers get `WriterClosedError`
   * at once: a refused write delivers nothing, so refusing it early reorders no delivery);
   * transactions already sent settle as storage answers, in order. Shutdown calls it after
   * in-flight acks had their chance.
   */
  close(): void {
    this.closed = true;
    for (const [name, partition] of this.partitions) {
      clearTimeout(partition.backoff);
      partition.backoff = undefined;
      this.abandonUnsent(partition);
      this.settleInOrder(partition);
      this.forgetIfIdle(name, partition);
    }
  }

  /** Sends the partition's next batches, as many as may be in flight. */
  private send(name: string): void {
    const partition = this.partitions.get(name);
    if (!partition) return;
    // Asked again after each send: a write resent after a conflict may already be past the window.
    while (partition.inFlight.size < this.depth(name, partition)) {
      const batch = this.takeBatch(partition.jobs);
      if (!batch) break;
      void this.transact(name, partition, batch);
    }
    this.forgetIfIdle(name, partition);
  }

  private depth(name: string, partition: Partition<Action>): number {
    if (partition.backoff || this.closed || this.heldBack(name, partition)) return 0;
    return partition.retrying ? 1 : this.options.inFlightPerPartition;
  }

  /** Whether a transaction in flight is past the overtake window while a write waits to be sent. */
  private heldBack(name: string, partition: Partition<Action>): boolean {
    const now = performance.now();
    for (const transaction of partition.inFlight) {
      if (now - transaction.since < this.options.overtakeWindowMs) continue;
      if (!partition.jobs.some(isUnsent)) return true;
      if (!transaction.holding) {
        transaction.holding = true;
        const outMs = Math.round(now - transaction.since);
        this.options.logger.warn({ partition: name, outMs, waiting: this.backlog }, 'history transaction still out; later writes of its partition wait for it');
      }
      return true;
    }
    return false;
  }

  private async transact(name: string, partition: Partition<Action>, batch: QueuedJob<Action>[]): Promise<void> {
    const sentAt = performance.now();
    for (const job of batch) {
      job.sending = true;
      job.firstSentAt ??= sentAt;
    }
    const transaction: Transaction = { since: Math.min(...batch.map((job) => job.firstSentAt!)), holding: false };
    partition.inFlight.add(transaction);
    const result = await this.options.submit(name, batch.flatMap((job) => job.actions));
    historyTelemetry.transaction(performance.now() - sentAt, batch.length, typeof result === 'string' ? result : Object.keys(result)[0]!);
    partition.inFlight.delete(transaction);
    for (const job of batch) job.sending = false;
    if (result === 'stored' || (result === 'conflict' && batch.length === 1)) {
      for (const job of batch) job.outcome = (stored) => stored.resolve(result);
      if (!partition.backoff) {
        partition.retrying = false;
        partition.backoffMs = this.options.initialBackoffMs;
      }
    } else if (result === 'conflict') {
      for (const job of batch) job.alone = true;
    } else if ('transient' in result) {
      this.retryLater(name, partition, result.transient);
    } else {
      for (const job of batch) job.outcome = (failed) => failed.reject(result.failed);
    }
    if (this.closed) this.abandonUnsent(partition);
    this.settleInOrder(partition);
    this.send(name);
  }

  /** The failed batch's jobs wait to be sent again; one wait covers every failure during it. */
  private retryLater(name: string, partition: Partition<Action>, error: Error): void {
    historyTelemetry.retried();
    if (this.closed || partition.backoff) return;
    const waitMs = partition.backoffMs;
    this.options.logger.warn({ err: error, partition: name, waiting: this.backlog, retryInMs: waitMs }, 'history write failed; retrying');
    partition.retrying = true;
    partition.backoffMs = Math.min(waitMs * 2, this.options.maxBackoffMs);
    partition.backoff = setTimeout(() => {
      partition.backoff = undefined;
      this.send(name);
    }, waitMs);
  }

  /** The first run of jobs not yet sent, as one batch; undefined when every job is sent or answered. */
  private takeBatch(jobs: QueuedJob<Action>[]): QueuedJob<Action>[] | undefined {
    const start = jobs.findIndex(isUnsent);
    if (start === -1) return undefined;
    const first = jobs[start]!;
    if (first.alone) return [first];
    const batch = [first];
    let actions = first.actions.length;
    for (let index = start + 1; index < jobs.length; index += 1) {
      const job = jobs[index]!;
      if (!isUnsent(job) || job.alone || actions + job.actions.length > this.options.maxActionsPerBatch) break;
      batch.push(job);
      actions += job.actions.length;
    }
    return batch;
  }

  /** Settles the answered jobs at the head of the partition's queue, up to the first still waiting for storage. */
  private settleInOrder(partition: Partition<Action>): void {
    let answered = 0;
    while (answered < partition.jobs.length && partition.jobs[answered]!.outcome) answered += 1;
    if (answered === 0) return;
    this.settle(partition.jobs.splice(0, answered), (job) => job.outcome!(job));
  }

  private abandonUnsent(partition: Partition<Action>): void {
    const abandoned = partition.jobs.filter(isUnsent);
    if (abandoned.length === 0) return;
    partition.jobs = partition.jobs.filter((job) => !isUnsent(job));
    this.settle(abandoned, (job) => job.reject(new WriterClosedError('the history writer closed before this write landed')));
  }

  private forgetIfIdle(name: string, partition: Partition<Action>): void {
    if (partition.jobs.length > 0 || partition.inFlight.size > 0 || partition.scheduled || partition.backoff) return;
    if (this.partitions.get(name) === partition) this.partitions.delete(name);
  }

  private settle(batch: QueuedJob<Action>[], settleJob: (job: QueuedJob<Action>) => void): void {
    this.backlog -= batch.length;
    historyTelemetry.settled(batch.length);
    for (const job of batch) settleJob(job);
  }
}

function isUnsent<Action>(job: QueuedJob<Action>): boolean {
  return !job.sending && !job.outcome;
}
