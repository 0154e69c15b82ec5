import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level: string; instanceId: string }): Logger {
  return pino({
    level: options.level,
    base: { instance: options.instanceId },
    // Session tokens reclaim a nickname: they are credentials, never to be written out.
    redact: { paths: ['session', '*.session', 'token', '*.token'], censor: '[redacted]' },
  });
}
