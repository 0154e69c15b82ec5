import { pino, type Logger } from 'pino';
import { traceIdsOfLogLine } from './telemetry/log-context.js';

export type { Logger };

export function createLogger(options: { level: string; instanceId: string }): Logger {
  return pino({
    level: options.level,
    base: { instance: options.instanceId },
    mixin: traceIdsOfLogLine,
    // Session tokens reclaim a nickname: they are credentials, never to be written out.
    redact: { paths: ['session', '*.session', 'token', '*.token'], censor: '[redacted]' },
  });
}
