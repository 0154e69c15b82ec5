import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BacklogFullError, BatchWriter, type SubmitResult, WriterClosedError } from '../../../WorkerRole1/src/server/history/batch-writer.js';
import { createLogger } from '../../../WorkerRole1/src/server/logger.js';

const logger = createLogger({ level: 'silent', instanceId: 'test' });

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
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    logger,
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
      initialBackoffMs: 5,
      maxBackoffMs: 20,
      logger,
    });
    const waiting = [slowWriter.write({ partition: 'a', actions: ['1'] }), slowWriter.write({ partition: 'b', actions: ['2'] })];
    await assert.rejects(slowWriter.write({ partition: 'c', actions: ['3'] }), BacklogFullError);
    release();
    await Promise.all(waiting);
    assert.equal(await slowWriter.write({ partition: 'c', actions: ['3'] }), 'stored');
  });

  it('on close, settles the transaction in flight as storage answers, gives up the queued writes and stops retrying', async () => {
    let answer: (result: SubmitResult) => void = () => {};
    let calls = 0;
    const closing = new BatchWriter<string>({
      submit: () => {
        calls += 1;
        return new Promise((resolve) => (answer = resolve));
      },
      capacity: 10,
      maxActionsPerBatch: 1,
      initialBackoffMs: 5,
      maxBackoffMs: 20,
      logger,
    });
    const inFlight = closing.write({ partition: 'a', actions: ['1'] });
    const queued = closing.write({ partition: 'a', actions: ['2'] });
    await new Promise((resolve) => setImmediate(resolve));
    closing.close();
    await assert.rejects(queued, WriterClosedError);
    answer('stored');
    assert.equal(await inFlight, 'stored');
    await assert.rejects(closing.write({ partition: 'a', actions: ['3'] }), /closed/);
    assert.equal(calls, 1);
  });

  it('rejects the writes of a batch that storage refuses for good', async () => {
    const { batchWriter } = writer(() => ({ failed: new Error('400 bad request') }));
    await assert.rejects(batchWriter.write({ partition: 'a', actions: ['x'] }), /400 bad request/);
  });
});
