import { pino, type DestinationStream, type Logger } from 'pino';
import { traceIdsOfLogLine } from './telemetry/log-context.js';

export type { Logger };

/**
 * Lines are written to stdout in batches of about this many bytes: one write per line was about
 * half of a `session started` line's CPU in a join storm (bench/README.md, perf-join).
 */
const BATCH_BYTES = 4096;
/** A quiet instance's lines still show within this long. */
const FLUSH_EVERY_MS = 200;

let stdout: (DestinationStream & { flushSync(): void }) | undefined;

/**
 * One batching destination for the process's stdout, however many loggers write to it, so that
 * their lines keep their order. Batches are written synchronously: with `sync: false` a batch still
 * in the thread pool at exit landed after the lines flushed behind it (test/server/logger.test.ts
 * caught it once in CI). pino flushes only asynchronous destinations on exit, so this one does it
 * itself: the lines just before process.exit or an uncaught error still reach the pipe; only a
 * SIGKILL or a V8 abort can take the last batch with it.
 */
function batchedStdout(): DestinationStream {
  if (stdout) return stdout;
  const destination = pino.destination({ dest: process.stdout.fd, sync: true, minLength: BATCH_BYTES, periodicFlush: FLUSH_EVERY_MS });
  process.once('exit', () => destination.flushSync());
  stdout = destination;
  return destination;
}

export function createLogger(options: { level: string; instanceId: string }): Logger {
  return pino(
    {
      level: options.level,
      base: { instance: options.instanceId },
      mixin: traceIdsOfLogLine,
      // Session tokens reclaim a nickname: they are credentials, never to be written out.
      redact: { paths: ['session', '*.session', 'token', '*.token'], censor: '[redacted]' },
    },
    batchedStdout(),
  );
}
