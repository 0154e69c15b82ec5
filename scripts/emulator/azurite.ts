import { mkdirSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { AzuriteReport, AzuriteRequest, AzuriteWorkerData } from './azurite-worker.js';
import { storagePortMessage, unusableBecause } from './preflight.js';

/**
 * Azurite's table service, on a worker thread of this process (azurite-worker.ts). Not on the
 * emulator's own event loop: LokiJS saves Azurite's whole database every 5 s while rows change,
 * synchronously (about 6 ms of CPU per MB, hundreds of ms once `npm start` has kept a long
 * history), and on that loop the load balancer would accept and hand over no connection, and the
 * probes would wait, for as long. On Azure, storage is not in the load balancer's process either.
 */

/**
 * Compiled beside main.js by compiled.mjs. Under tsx (benchmarks, tests importing this file) the
 * source, through tsx's loader, which a new thread does not inherit: the thread registers it first.
 */
function azuriteThread(workerData: AzuriteWorkerData): Worker {
  // A thread's young generation left at V8's default kept 12 MiB more of the emulator's idle memory
  // (bench/README.md, "Azurite on a thread"); 8 MiB is still several times a request's garbage.
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./azurite-worker.js', import.meta.url), options);
  const [tsx, entry] = [import.meta.resolve('tsx/esm/api'), new URL('./azurite-worker.ts', import.meta.url).href].map((url) => JSON.stringify(url));
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`, { ...options, eval: true });
}

export interface Storage {
  /** Saves what changed and ends the thread. */
  close(): Promise<void>;
}

export interface StorageOptions {
  /** The folder for Azurite's data; kept between runs so that history survives a restart. */
  location: string;
  port: number;
  /** Empty the folder first. */
  fresh: boolean;
  /** Azurite stopped without being asked (an error thrown on its thread): the chat's storage is gone. */
  crashed(reason: string): void;
}

export async function startStorage({ location, port, fresh, crashed }: StorageOptions): Promise<Storage> {
  if (fresh) rmSync(location, { recursive: true, force: true });
  mkdirSync(location, { recursive: true });
  const worker = azuriteThread({ location, port });
  let closing = false;
  let lastError: Error | undefined;
  worker.on('error', (error) => (lastError = error));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));

  const started = await new Promise<AzuriteReport | Error>((resolve) => {
    worker.once('message', resolve);
    void exited.then((code) => resolve(lastError ?? new Error(`Azurite's thread exited (code ${code}) before its table service listened`)));
  });
  if (started instanceof Error || started.kind !== 'listening') {
    await worker.terminate();
    if (started instanceof Error) throw started;
    // Taken since the check before the start (preflight.ts): said the same way.
    if (started.kind === 'failed' && (started.code === 'EADDRINUSE' || started.code === 'EACCES')) {
      throw new Error(storagePortMessage(port, unusableBecause({ code: started.code, message: started.message })));
    }
    // Most likely its database file, left damaged by a machine that stopped mid-save.
    const reason = started.kind === 'failed' ? started.message : started.kind;
    throw new Error(`emulator: Azurite's table service did not start: ${reason} (its data is in ${location}; --fresh starts it empty)`);
  }

  void exited.then((code) => {
    if (!closing) crashed(lastError ? (lastError.stack ?? lastError.message) : `its thread exited (code ${code})`);
  });
  return {
    async close() {
      if (closing) return exited.then(() => undefined);
      closing = true;
      const closed = new Promise<void>((resolve) => worker.on('message', (report: AzuriteReport) => report.kind === 'closed' && resolve()));
      const request: AzuriteRequest = { kind: 'close' };
      worker.postMessage(request);
      // A crash while saving ends the thread without 'closed': reported, not waited for forever.
      await Promise.race([closed, exited]);
      await worker.terminate();
      if (lastError) throw lastError;
    },
  };
}
