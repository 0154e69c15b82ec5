import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Azurite's blob service in this process, the real one (pinned azurite 3.35.0; its modules are
 * internal, so this mirrors what its dist/src/blob/main.js builds, minus telemetry and logs). Data
 * lives in a temporary folder deleted on close.
 */
const require = createRequire(import.meta.url);
const base = 'azurite/dist/src';

interface BlobServerInstance {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

/** Azurite's well-known development account. */
export const DEVSTORE_ACCOUNT = 'devstoreaccount1';
export const DEVSTORE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface BlobEmulator {
  url: string;
  connectionString: string;
  close(): Promise<void>;
}

export async function startBlobEmulator(): Promise<BlobEmulator> {
  const BlobServer = require(`${base}/blob/BlobServer`).default as new (configuration: unknown) => BlobServerInstance;
  const BlobConfiguration = require(`${base}/blob/BlobConfiguration`).default as new (...args: unknown[]) => unknown;
  require(`${base}/common/Logger`).configLogger(false);
  const location = mkdtempSync(join(tmpdir(), 'chatapp-azurite-blob-'));
  const configuration = new BlobConfiguration(
    '127.0.0.1',
    0, // any free port
    5,
    join(location, '__azurite_db_blob__.json'),
    join(location, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: join(location, '__blobstorage__'), maxConcurrency: 1 }],
    false, // access log
    undefined,
    false, // debug log
    undefined,
    false, // loose
    true, // skipApiVersionCheck: the SDK may be newer than the emulator
  );
  const server = new BlobServer(configuration);
  await server.start();
  const url = `http://${server.getHttpServerAddress().replace(/^https?:\/\//, '')}/${DEVSTORE_ACCOUNT}`;
  return {
    url,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};BlobEndpoint=${url};`,
    async close() {
      await server.close();
      await server.clean().catch(() => {});
      rmSync(location, { recursive: true, force: true });
    },
  };
}
