import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { storagePortMessage, unusableBecause } from './preflight.js';

/**
 * Azurite's table service, in this process. Its modules are internal to the pinned azurite
 * version (package.json pins it exactly); this mirrors what its own dist/src/table/main.js does,
 * without the telemetry and with the debug and access logs off.
 */
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
 * is initialised, which this in-process server never does. An empty module stands in for it.
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

export interface Storage {
  close(): Promise<void>;
}

export interface StorageOptions {
  /** The folder for Azurite's data; kept between runs so that history survives a restart. */
  location: string;
  port: number;
  /** Empty the folder first. */
  fresh: boolean;
}

export async function startStorage({ location, port, fresh }: StorageOptions): Promise<Storage> {
  if (fresh) rmSync(location, { recursive: true, force: true });
  mkdirSync(location, { recursive: true });
  const azurite = loadAzurite();
  azurite.configLogger(false);
  const configuration = new azurite.TableConfiguration(
    '127.0.0.1',
    port,
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
  try {
    await server.start();
  } catch (error) {
    // Taken since the check before the start (preflight.ts): said the same way.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new Error(storagePortMessage(port, unusableBecause(error)));
    throw error;
  }
  return { close: () => server.close() };
}
