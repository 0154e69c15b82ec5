// A preload (node --import) that timestamps a stored message's path, for `bench:emulator --trace`.
// In the role: each BatchWriter job (enqueue → settled) and each submitTransaction (request →
// answer). On the emulator's Azurite thread: each HTTP request Azurite serves and each LokiJS save's
// synchronous serialisation. In both: event loop stalls, as a 5 ms timer running over 20 ms late.
// Records go to <STORED_PATH_TRACE_DIR>/<role>-<pid>.ndjson, a line each, on the shared wall clock.
// Plain JavaScript so that it loads before tsx registers; the benchmark sets the variable.
import dc from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = process.env.STORED_PATH_TRACE_DIR;
// Azurite runs on a thread of the emulator's process (scripts/emulator/azurite.ts), and a preload
// runs on every thread started from a file, as the compiled emulator starts Azurite's: trace that one.
const isEmulatorsAzurite = !isMainThread && process.argv[1]?.endsWith('dist/emulator/azurite-worker.js');
const isRole = process.argv.some((arg) => arg.endsWith('WorkerRole1/dist/server/main.js'));
const now = () => performance.timeOrigin + performance.now();

function recorder(file) {
  let lines = [];
  const flush = () => {
    if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
    lines = [];
  };
  // The role is stopped with kill -9: what the last second held is lost, after the measured window.
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
  let due = now() + 5;
  setInterval(() => {
    const at = now();
    if (at - due > 20) lines.push(JSON.stringify({ k: 'stall', at, lateMs: at - due }));
    due = at + 5;
  }, 5).unref();
  return (record) => lines.push(JSON.stringify(record));
}

if (dir !== undefined && isRole) {
  const record = recorder(join(dir, `role-${process.pid}.ndjson`));
  const history = join(ROOT, 'WorkerRole1/dist/server/history');
  const { BatchWriter } = await import(join(history, 'batch-writer.js'));
  // The same module instance as the role's own import (one node_modules, at the root).
  const { TableClient } = await import('@azure/data-tables');
  const write = BatchWriter.prototype.write;
  BatchWriter.prototype.write = function (job) {
    const start = now();
    const written = write.call(this, job);
    written.then(() => record({ k: 'job', start, end: now() }), () => undefined);
    return written;
  };
  const submit = TableClient.prototype.submitTransaction;
  TableClient.prototype.submitTransaction = async function (actions, options) {
    const start = now();
    try {
      return await submit.call(this, actions, options);
    } finally {
      record({ k: 'transaction', start, end: now(), rows: actions.length });
    }
  };
}

if (dir !== undefined && isEmulatorsAzurite) {
  const record = recorder(join(dir, `azurite-${process.pid}.ndjson`));
  const Loki = createRequire(join(ROOT, 'node_modules/azurite/package.json'))('lokijs');
  const serialize = Loki.prototype.serialize;
  Loki.prototype.serialize = function (...args) {
    const start = now();
    const serialized = serialize.apply(this, args);
    record({ k: 'save', start, end: now(), bytes: serialized.length });
    return serialized;
  };
  dc.subscribe('http.server.request.start', ({ request, response }) => {
    const start = now();
    if (request.url.endsWith('$batch')) response.once('finish', () => record({ k: 'batch', start, end: now() }));
  });
}
