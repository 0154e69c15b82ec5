import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BacklogFullError, BatchWriter, type SubmitResult, WriterClosedError } from '../../../WorkerRole1/src/server/history/batch-writer.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';

const logger = createLogger({ level: 'silent', instanceId: 'test' });
/** Backoffs short enough for a test; an overtake window no test reaches unless it says so. */
const timing = { initialBackoffMs: 5, maxBackoffMs: 20, overtakeWindowMs: 60_000, logger };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Storage that answers only when the test says so: each transaction waits in `calls` for
 * `answer`. Each write is to partition "a" unless given; `settled` lists them as their promises settle.
 */
function heldWriter({ maxActionsPerBatch = 1, inFlightPerPartition = 2, overtakeWindowMs = timing.overtakeWindowMs } = {}) {
  const calls: Array<{ partition: string; actions: string[]; answer(result: SubmitResult): void }> = [];
  const batchWriter = new BatchWriter<string>({
    ...timing,
    submit: (partition, actions) => new Promise((answer) => calls.push({ partition, actions, answer })),
    capacity: 100,
    maxActionsPerBatch,
    inFlightPerPartition,
    overtakeWindowMs,
  });
  const settled: string[] = [];
  const writeTo = (partition: string, action: string) => {
    const written = batchWriter.write({ partition, actions: [action] });
    written.then(
      (outcome) => settled.push(`${action}:${outcome}`),
      (error: Error) => settled.push(`${action}:${error.name}`),
    );
    return written.catch(() => undefined);
  };
  const write = (action: string) => writeTo('a', action);
  return { batchWriter, calls, settled, write, writeTo };
}

/** Lets the writer run (its sends start on the next turn; a retry waits for its backoff) until `done`. */
async function until(done: () => boolean): Promise<void> {
  for (let waitedMs = 0; !done(); waitedMs += 1) {
    if (waitedMs > 2000) throw new Error('the writer never got there');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Records each transaction; `answer` decides how the "storage" replies to it. */
function writer(answer: (actions: string[], call: number) => SubmitResult, capacity = 1000) {
  const transactions: Array<{ partition: string; actions: string[] }> = [];
  const batchWriter = new BatchWriter<string>({
    submit: async (partition, actions) => {
      transactions.push({ partition, actions });
      return answer(actions, transactions.length);
    },
    capacity,
    maxActionsPerBatch: 100,
    inFlightPerPartition: 3,
    ...timing,
  });
  return { batchWriter, transactions };
}

describe('batch writer', () => {
  it('sends writes that arrive together as one transaction per partition, at most 100 actions each', async () => {
    const { batchWriter, transactions } = writer(() => 'stored');
    const writes = Array.from({ length: 60 }, (_, n) => batchWriter.write({ partition: n < 55 ? 'a' : 'b', actions: [`d${n}`, `m${n}`] }));
    assert.deepEqual(new Set(await Promise.all(writes)), new Set(['stored']));
    // Partitions drain independently; within one, transactions keep the order of writes.
    assert.deepEqual(
      transactions.map(({ partition, actions }) => `${partition}:${actions.length}`).sort(),
      ['a:10', 'a:100', 'b:10'],
    );
    assert.deepEqual(transactions.find(({ partition }) => partition === 'a')!.actions.slice(0, 2), ['d0', 'm0']);
  });

  it('finds the conflicting write of a batch by sending each alone, and stores the others', async () => {
    const { batchWriter, transactions } = writer((actions) => (actions.includes('dup') ? 'conflict' : 'stored'));
    const outcomes = await Promise.all([
      batchWriter.write({ partition: 'a', actions: ['one'] }),
      batchWriter.write({ partition: 'a', actions: ['dup'] }),
      batchWriter.write({ partition: 'a', actions: ['three'] }),
    ]);
    assert.deepEqual(outcomes, ['stored', 'conflict', 'stored']);
    assert.equal(transactions.length, 4);
  });

  it('retries transient failures until they pass, keeping the order of writes', async () => {
    const { batchWriter, transactions } = writer((_actions, call) => (call <= 3 ? { transient: new Error('503') } : 'stored'));
    assert.equal(await batchWriter.write({ partition: 'a', actions: ['x'] }), 'stored');
    assert.equal(transactions.length, 4);
  });

  it('refuses new writes at once when the backlog is full, and takes them again once it drains', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowWriter = new BatchWriter<string>({
      submit: async () => {
        await gate;
        return 'stored';
      },
      capacity: 2,
      maxActionsPerBatch: 100,
      inFlightPerPartition: 3,
      ...timing,
    });
    const waiting = [slowWriter.write({ partition: 'a', actions: ['1'] }), slowWriter.write({ partition: 'b', actions: ['2'] })];
    await assert.rejects(slowWriter.write({ partition: 'c', actions: ['3'] }), BacklogFullError);
    release();
    await Promise.all(waiting);
    assert.equal(await slowWriter.write({ partition: 'c', actions: ['3'] }), 'stored');
  });

  it('rejects the writes of a batch that storage refuses for good', async () => {
    const { batchWriter } = writer(() => ({ failed: new Error('400 bad request') }));
    await assert.rejects(batchWriter.write({ partition: 'a', actions: ['x'] }), /400 bad request/);
  });

  it('has at most the given number of transactions of a partition in flight, and sends the next as one lands', async () => {
    const { calls, write } = heldWriter({ inFlightPerPartition: 2 });
    const writes = ['1', '2', '3'].map(write);
    await until(() => calls.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(calls.length, 2);
    calls[0]!.answer('stored');
    await until(() => calls.length === 3);
    assert.deepEqual(calls[2]!.actions, ['3']);
    calls[1]!.answer('stored');
    calls[2]!.answer('stored');
    await Promise.all(writes);
  });

  it('settles writes in the order they were made when a later transaction lands first', async () => {
    const { calls, settled, write } = heldWriter();
    const writes = ['1', '2'].map(write);
    await until(() => calls.length === 2);
    calls[1]!.answer('stored');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(settled, [], 'the second write waits for the first');
    calls[0]!.answer('stored');
    await Promise.all(writes);
    assert.deepEqual(settled, ['1:stored', '2:stored']);
  });

  it('when the first of two transactions in flight conflicts, sends its writes alone and settles the second after them', async () => {
    const { calls, settled, write } = heldWriter({ maxActionsPerBatch: 2 });
    const writes = ['1', 'dup', '3', '4'].map(write);
    await until(() => calls.length === 2);
    assert.deepEqual(calls.map(({ actions }) => actions), [['1', 'dup'], ['3', '4']]);
    calls[1]!.answer('stored');
    calls[0]!.answer('conflict');
    await until(() => calls.length === 4);
    assert.deepEqual(calls.slice(2).map(({ actions }) => actions), [['1'], ['dup']]);
    calls[3]!.answer('conflict');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(settled, []);
    calls[2]!.answer('stored');
    await Promise.all(writes);
    assert.deepEqual(settled, ['1:stored', 'dup:conflict', '3:stored', '4:stored']);
  });

  it('after a transient failure of the first transaction, retries it alone after a wait while the stored second waits for it', async () => {
    const { calls, settled, write } = heldWriter();
    const writes = ['1', '2'].map(write);
    await until(() => calls.length === 2);
    calls[1]!.answer('stored');
    calls[0]!.answer({ transient: new Error('503') });
    await new Promise((resolve) => setImmediate(resolve));
    writes.push(write('3'));
    await until(() => calls.length === 3);
    assert.deepEqual(calls[2]!.actions, ['1']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(calls.length, 3, 'nothing else is sent until the retry is stored');
    assert.deepEqual(settled, []);
    calls[2]!.answer('stored');
    await until(() => calls.length === 4);
    assert.deepEqual(settled, ['1:stored', '2:stored']);
    calls[3]!.answer('stored');
    await Promise.all(writes);
    assert.deepEqual(settled, ['1:stored', '2:stored', '3:stored']);
  });

  it('on close with two transactions in flight, gives up the unsent write at once, stops retrying and settles the two in order', async () => {
    const { batchWriter, calls, settled, write } = heldWriter();
    const writes = ['1', '2', '3'].map(write);
    await until(() => calls.length === 2);
    batchWriter.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(settled, ['3:WriterClosedError']);
    calls[1]!.answer('stored');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(settled, ['3:WriterClosedError']);
    calls[0]!.answer({ transient: new Error('503') });
    await Promise.all(writes);
    assert.deepEqual(settled, ['3:WriterClosedError', '1:WriterClosedError', '2:stored']);
    await assert.rejects(batchWriter.write({ partition: 'a', actions: ['4'] }), /closed/);
    assert.equal(calls.length, 2);
  });

  it('sends nothing more of a partition while a transaction of it is out past the overtake window, and resumes once it settles; other partitions go on', async () => {
    const { calls, settled, write, writeTo } = heldWriter({ inFlightPerPartition: 3, overtakeWindowMs: 50 });
    const writes = [write('1'), write('2')];
    await until(() => calls.length === 2);
    calls[1]!.answer('stored');
    await pause(60);
    writes.push(write('3'), writeTo('b', 'other room'));
    await until(() => calls.length === 3);
    assert.deepEqual(calls.map(({ partition, actions }) => `${partition}:${actions}`), ['a:1', 'a:2', 'b:other room']);
    calls[2]!.answer('stored');
    await pause(20);
    assert.equal(calls.length, 3, 'the third write of "a" waits for the first to settle, though a slot is free');
    assert.deepEqual(settled, ['other room:stored']);
    calls[0]!.answer('stored');
    await until(() => calls.length === 4);
    assert.deepEqual(calls[3]!.actions, ['3']);
    calls[3]!.answer('stored');
    await Promise.all(writes);
    assert.deepEqual(settled, ['other room:stored', '1:stored', '2:stored', '3:stored']);
  });

  it('counts the overtake window of a write from its first send: after a late conflict its writes go alone, one at a time, before anything later', async () => {
    const { calls, settled, write } = heldWriter({ maxActionsPerBatch: 2, overtakeWindowMs: 50 });
    const writes = ['1', 'dup'].map(write);
    await until(() => calls.length === 1);
    await pause(60);
    writes.push(write('3'));
    await pause(20);
    calls[0]!.answer('conflict');
    await until(() => calls.length === 2);
    await pause(20);
    assert.deepEqual(calls.map(({ actions }) => actions), [['1', 'dup'], ['1']], 'the resent write is out since the first send');
    calls[1]!.answer('stored');
    await until(() => calls.length === 3);
    await pause(20);
    assert.deepEqual(calls[2]!.actions, ['dup']);
    assert.equal(calls.length, 3);
    calls[2]!.answer('conflict');
    await until(() => calls.length === 4);
    assert.deepEqual(calls[3]!.actions, ['3']);
    calls[3]!.answer('stored');
    await Promise.all(writes);
    assert.deepEqual(settled, ['1:stored', 'dup:conflict', '3:stored']);
  });
});
