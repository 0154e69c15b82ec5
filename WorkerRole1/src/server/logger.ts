import { pino, type Logger } from 'pino';
import { traceIdsOfLogLine } from './telemetry/log-context.js';

export type { Logger };

/**
 * Lines are written to stdout in batches of about this many bytes: one write per line was about
 * half of a `session started` line's CPU in a join storm (bench/README.md, perf-join).
 */
const BATCH_BYTES = 4096;
/** A quiet instance's lines still show within this long. */
const FLUSH_EVERY_MS = 200;

export function createLogger(options: { level: string; instanceId: string }): Logger {
  return pino(
    {
      level: options.level,
      base: { instance: options.instanceId },
      mixin: traceIdsOfLogLine,
      // Session tokens reclaim a nickname: they are credentials, never to be written out.
      redact: { paths: ['session', '*.session', 'token', '*.token'], censor: '[redacted]' },
    },
    // pino writes what is still buffered synchronously on process 'exit' (process.exit, and an
    // uncaught error's exit), so the lines just before a crash are not lost; only a SIGKILL or a
    // V8 abort can take the last batch with it.
    pino.destination({ dest: process.stdout.fd, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_EVERY_MS }),
  );
}
