import { after, afterEach, before } from 'node:test';
import type { Config } from '../../WorkerRole1/src/server/config/load-config.js';
import { type RunningChatServer, startChatServer } from './chat-server.js';
import { closeClients } from './clients.js';

/**
 * One real server for a whole test file (started before its first test, closed after its last),
 * every client closed after each test, and names unique to each test so tests sharing the
 * server do not meet.
 */
export function chatServerPerSuite(overrides: Partial<Config> = {}): { server: RunningChatServer; unique: (base: string) => string } {
  let running: RunningChatServer | undefined;
  let n = 0;
  before(async () => {
    running = await startChatServer(overrides);
  });
  afterEach(() => closeClients());
  after(() => running?.close());

  const current = () => {
    if (!running) throw new Error('the suite server starts in before(); use it inside tests');
    return running;
  };
  const server: RunningChatServer = {
    get url() {
      return current().url;
    },
    get port() {
      return current().port;
    },
    get config() {
      return current().config;
    },
    get server() {
      return current().server;
    },
    close: () => current().close(),
  };
  return { server, unique: (base) => `${base}${++n}` };
}

/**
 * For test files whose tests each need their own settings: `serve(overrides)` starts a server for
 * the current test; it and every client are closed after the test.
 */
export function chatServerPerTest(): (overrides?: Partial<Config>) => Promise<RunningChatServer> {
  let running: RunningChatServer | undefined;
  afterEach(async () => {
    closeClients();
    await running?.close();
    running = undefined;
  });
  return async (overrides = {}) => {
    running = await startChatServer(overrides);
    return running;
  };
}
