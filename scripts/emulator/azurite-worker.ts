/**
 * Azurite's table service, on a thread of its own (started by azurite.ts). Its modules are internal
 * to the pinned azurite version (package.json pins it exactly); this mirrors what its own
 * dist/src/table/main.js does, without the telemetry and with the debug and access logs off.
 * Compiled beside the emulator's main.js (compiled.mjs), and run as source under tsx.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** What azurite.ts gives this thread. */
export interface AzuriteWorkerData {
  /** The data folder, already created. */
  location: string;
  port: number;
}

/** What this thread tells azurite.ts: once, whether it listens; then that it closed, when asked (azurite.ts then ends the thread). */
export type AzuriteReport = { kind: 'listening' } | { kind: 'failed'; code: string | undefined; message: string } | { kind: 'closed' };

/** What azurite.ts may ask of this thread. */
export type AzuriteRequest = { kind: 'close' };

const require = createRequire(import.meta.url);

interface TableServerInstance {
  start(): Promise<void>;
  close(): Promise<void>;
}

interface AzuriteModules {
  TableServer: new (configuration: unknown) => TableServerInstance;
  TableConfiguration: new (...args: unknown[]) => unknown;
  configLogger(enable: boolean, logFile?: string): void;
  DEFAULT_TABLE_LOKI_DB_PATH: string;
}

/**
 * Azurite's telemetry module requires the Application Insights SDK (OpenTelemetry and more beneath
 * it: 13 MiB of the emulator's memory) when it loads, yet uses it only once Azurite's own telemetry
 * is initialised, which this server never does. An empty module stands in for it.
 */
function leaveOutAzuriteTelemetrySdk(): void {
  const sdk = require.resolve('applicationinsights', { paths: [require.resolve('azurite/dist/src/common/Telemetry')] });
  require.cache[sdk] ??= { id: sdk, filename: sdk, loaded: true, exports: {} } as NodeJS.Module;
}

function loadAzurite(): AzuriteModules {
  const base = 'azurite/dist/src';
  leaveOutAzuriteTelemetrySdk();
  return {
    TableServer: require(`${base}/table/TableServer`).default,
    TableConfiguration: require(`${base}/table/TableConfiguration`).default,
    configLogger: require(`${base}/common/Logger`).configLogger,
    DEFAULT_TABLE_LOKI_DB_PATH: require(`${base}/table/utils/constants`).DEFAULT_TABLE_LOKI_DB_PATH,
  };
}

const port = parentPort!;
const report = (message: AzuriteReport) => port.postMessage(message);
const { location, port: tablePort } = workerData as AzuriteWorkerData;

const azurite = loadAzurite();
azurite.configLogger(false);
const configuration = new azurite.TableConfiguration(
  '127.0.0.1',
  tablePort,
  5, // keep-alive timeout (s), Azurite's default
  join(location, azurite.DEFAULT_TABLE_LOKI_DB_PATH),
  false, // debug log
  false, // access log: one line per request would drown the chat's own logs
  undefined,
  undefined,
  true, // loose: accept headers the real service ignores
  true, // skip the API version check, so a newer @azure/data-tables works
);
const server = new azurite.TableServer(configuration);

port.on('message', (request: AzuriteRequest) => {
  if (request.kind !== 'close') return;
  // Closing saves what changed since the last save (LokiJS's close), then nothing holds this thread.
  void server.close().then(() => report({ kind: 'closed' }));
});

try {
  await server.start();
  report({ kind: 'listening' });
} catch (error) {
  report({ kind: 'failed', code: (error as NodeJS.ErrnoException).code, message: (error as Error).message });
}
