import { fileURLToPath } from 'node:url';
import { createChatServer, type ChatServer, type ChatServerDeps } from '../../WorkerRole1/src/server/app.js';
import { type Config, loadConfig } from '../../WorkerRole1/src/server/config/load-config.js';
import { MemoryHistoryStore } from '../../WorkerRole1/src/server/history/memory-history-store.js';
import { createLogger } from '../../WorkerRole1/src/server/logger.js';
import { MemorySessionRegistry } from '../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import type { SessionRegistry } from '../../WorkerRole1/src/server/sessions/session-registry.js';

export interface RunningChatServer {
  url: string;
  port: number;
  config: Config;
  server: ChatServer;
  close(): Promise<void>;
}

const publicDir = fileURLToPath(new URL('../../WorkerRole1/dist/public/', import.meta.url));

/**
 * The real chat server, as main.ts wires it, on 127.0.0.1 and an ephemeral port. Logs are
 * silent unless TEST_LOG_LEVEL is set.
 */
export async function startChatServer(
  overrides: Partial<Config> = {},
  deps: { sessions?: SessionRegistry; adapter?: ChatServerDeps['adapter'] } = {},
): Promise<RunningChatServer> {
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', INSTANCE_ID: 'test' }),
    port: 0,
    host: '127.0.0.1',
    ...overrides,
  };
  const server = createChatServer(config, {
    logger: createLogger({ level: config.logLevel, instanceId: config.instanceId }),
    history: new MemoryHistoryStore(config.historyMaxPerRoom),
    sessions: deps.sessions ?? new MemorySessionRegistry({ presenceIndividualMax: config.presenceIndividualMax }),
    publicDir,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  const { port } = await server.listen();
  return { url: `http://127.0.0.1:${port}`, port, config, server, close: () => server.close() };
}
