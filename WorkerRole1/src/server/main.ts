import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from './config/load-config.js';
import { createCredential, needsCredential } from './identity/credential.js';
import { createLogger } from './logger.js';
import { startTelemetry } from './telemetry/start-telemetry.js';

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
// A stray rejection from a library's background work must not take every chat on this instance down.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

// One Entra ID credential for the whole process (history, Redis, telemetry), when a setting asks for one.
const credential = needsCredential(config) ? createCredential() : undefined;

// First, so that its instrumentation sees the modules below load; they are imported only after it.
// The chat matters more than watching it: without telemetry it still serves.
const telemetry = await startTelemetry(config, credential).catch((error: unknown) => {
  logger.error({ err: error }, 'telemetry not started');
  return { destinations: [], shutdown: async () => {} };
});
if (telemetry.destinations.length > 0) logger.info({ destinations: telemetry.destinations }, 'telemetry exporting');
const [{ createChatServer }, { createHistoryStore }, { scheduleRetention }, { createScaleOut }] = await Promise.all([
  import('./app.js'),
  import('./history/create-history-store.js'),
  import('./history/retention.js'),
  import('./scale-out/create-scale-out.js'),
]);

async function start() {
  const history = await createHistoryStore(config, logger, credential);
  const scaleOut = await createScaleOut(config, logger, credential);
  const server = createChatServer(config, {
    logger,
    history,
    sessions: scaleOut.sessions,
    adapter: scaleOut.adapter,
    publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  });
  scaleOut.serveHandedConnections(server.httpServer);
  const address = await server.listen();
  const stopRetention = scheduleRetention(history, config.historyRetentionDays, logger);
  return {
    port: address.port,
    async close() {
      stopRetention();
      await server.close();
      await scaleOut.close();
      await telemetry.shutdown();
    },
  };
}

const running = await start().catch((error: unknown) => {
  logger.fatal({ err: error }, 'cannot start');
  process.exit(1);
});
const url = `http://localhost:${running.port}/`;
logger.info({ url, port: running.port }, 'chat listening');
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
  await running.close();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void stop(signal));
process.once('SIGINT', (signal) => void stop(signal));
