import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { hostSessionRegistry } from '../../../WorkerRole1/src/server/scale-out/cluster-registry-host.js';
import { MemorySessionRegistry } from '../../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import { SessionStoreError } from '../../../WorkerRole1/src/server/sessions/session-registry.js';

/**
 * Real cluster workers (test/server/scale-out/fixtures/registry-worker.ts) whose session registry
 * is the one this process, their primary, hosts: what the emulator does for its instances.
 */

class HostedRegistry extends MemorySessionRegistry {
  /** Not part of SessionRegistry: the transport must forward it all the same. */
  async echo(value: unknown): Promise<unknown> {
    return value;
  }

  async failing(): Promise<never> {
    throw new SessionStoreError('the store failed');
  }

  hang(): Promise<never> {
    return new Promise(() => {});
  }
}

const WORKER = fileURLToPath(new URL('./fixtures/registry-worker.ts', import.meta.url));
const workers: Worker[] = [];

type Reply = { ready?: true; renewEveryMs?: number; failed?: string };

async function fork(serialization: 'advanced' | 'json', env: Record<string, string> = {}): Promise<{ worker: Worker; hello: Reply }> {
  cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'], serialization });
  const worker = cluster.fork(env);
  workers.push(worker);
  for (;;) {
    // The worker's own requests to the registry pass through here too.
    const [hello] = (await once(worker, 'message')) as [Reply];
    if (hello.ready || hello.failed) return { worker, hello };
  }
}

let calls = 0;
async function call(worker: Worker, method: string, ...args: unknown[]): Promise<{ result?: unknown; error?: { kind: string; message: string } }> {
  const id = ++calls;
  worker.send({ call: id, method, args });
  for (;;) {
    const [reply] = (await once(worker, 'message')) as [{ call?: number; result?: unknown; error?: { kind: string; message: string } }];
    if (reply.call === id) return reply;
  }
}

describe('the session registry a cluster primary hosts for its workers', { timeout: 60_000 }, () => {
  const host = hostSessionRegistry(new HostedRegistry({ leaseMs: 4500, presenceIndividualMax: 50 }));

  after(async () => {
    for (const worker of workers) worker.process.kill('SIGKILL');
    await host.close();
  });

  it('gives two workers one set of nicknames, with rooms as Sets and the host lease renewal interval', async () => {
    const [first, second] = await Promise.all([fork('advanced'), fork('advanced')]);
    assert.deepEqual(first.hello, { ready: true, renewEveryMs: 1000 });
    const claimed = await call(first.worker, 'claim', { display: 'Ann', key: 'ann' }, undefined, 'one');
    assert.equal((claimed.result as { ok: boolean }).ok, true);
    const refused = await call(second.worker, 'claim', { display: 'ANN', key: 'ann' }, undefined, 'two');
    assert.deepEqual(refused.result, { ok: false, reason: 'taken', holder: 'Ann' });

    const token = (claimed.result as { session: { token: string } }).session.token;
    await call(second.worker, 'join', token, 'lobby');
    const { result: session } = await call(first.worker, 'get', token);
    assert.ok((session as { rooms: unknown }).rooms instanceof Set);
    assert.deepEqual([...(session as { rooms: Set<string> }).rooms], ['lobby']);
  });

  it('keeps a person a moderator removed through one worker out of the room on the other worker', async () => {
    const [first, second] = await Promise.all([fork('advanced'), fork('advanced')]);
    const { result: ends } = await call(first.worker, 'banFromRoom', 'lobby', ['nick:mallory'], 60_000);
    assert.equal(typeof ends, 'number');
    const take = async (display: string) => {
      const { result } = await call(second.worker, 'claim', { display, key: display }, undefined, 'two');
      return (result as { session: { token: string } }).session.token;
    };
    const enter = async (token: string, room: string, subject: string) => {
      const options = { holder: 'two', roomsMax: 10, page: { limit: 10 }, banSubjects: [subject] };
      return (await call(second.worker, 'enter', token, room, options)).result as { ok: boolean; reason?: string; until?: number };
    };
    const [mallory, alice] = [await take('mallory'), await take('alice')];
    assert.deepEqual(await enter(mallory, 'lobby', 'nick:mallory'), { ok: false, reason: 'removed', until: ends });
    assert.equal((await enter(mallory, 'games', 'nick:mallory')).ok, true, 'another room is not affected');
    assert.equal((await enter(alice, 'lobby', 'nick:alice')).ok, true, 'nobody else is affected');
  });

  it("forwards a method that only the host's registry knows of", async () => {
    const { worker } = await fork('advanced');
    const value = new Map([['room', new Set(['ann', 'bob'])]]);
    assert.deepEqual((await call(worker, 'echo', value)).result, value);
  });

  it('passes an error thrown in the primary back as the same kind', async () => {
    const { worker } = await fork('advanced');
    assert.deepEqual((await call(worker, 'failing')).error, { kind: 'SessionStoreError', message: 'the store failed' });
  });

  it('fails a call that the primary does not answer in time with a SessionStoreError', async () => {
    const { worker } = await fork('advanced', { REQUEST_TIMEOUT_MS: '300' });
    const { error } = await call(worker, 'hang');
    assert.equal(error?.kind, 'SessionStoreError');
    assert.match(error?.message ?? '', /did not answer hang within 300 ms/);
  });

  it("refuses to start when the IPC channel would turn Sets into objects, naming serialization: 'advanced'", async () => {
    const { hello } = await fork('json');
    assert.match(hello.failed ?? '', /serialization: 'advanced'/);
  });
});
