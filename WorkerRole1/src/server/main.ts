import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '@socket.io/cluster-adapter';
import dotenv from 'dotenv';
import { createChatServer } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { MemoryHistoryStore } from './history/memory-history-store.js';
import { createLogger } from './logger.js';
import { MemorySessionRegistry } from './sessions/memory-session-registry.js';

dotenv.config({ quiet: true });

function readConfig() {
  try {
    return loadConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof TypeError)) throw error;
    console.error(`chatapp: ${error.message}`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger({ level: config.logLevel, instanceId: config.instanceId });

process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});

const server = createChatServer(config, {
  logger,
  history: new MemoryHistoryStore(config.historyMaxPerRoom),
  sessions: new MemorySessionRegistry(),
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  // Forked by the local emulator: its instances share rooms over the cluster IPC channel.
  adapter: cluster.isWorker ? createAdapter() : undefined,
});

const address = await server.listen();
const url = `http://localhost:${address.port}/`;
logger.info({ url, port: address.port }, 'chat listening');
if (process.stderr.isTTY) console.error(`chatapp: open ${url} in two browser windows`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  // Azure and the emulator give a stopping role about 10 seconds; never outstay them.
  setTimeout(() => {
    logger.error('shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs + 500).unref();
  await server.close();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void stop(signal));
process.once('SIGINT', (signal) => void stop(signal));
