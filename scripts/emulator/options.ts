import { parseArgs } from 'node:util';
import { DEFAULT_TABLE_PORT } from './development-storage.js';
import { DEFAULT_PID_FILE } from './pid-file.js';

/** What the command line asks of the emulator; undefined means "as the service model says". */
export interface EmulatorOptions {
  /** Instances per role, instead of the Local cscfg's count. */
  instances: number | undefined;
  /** The load balancer's port, instead of the csdef port (or 8080 and up when that is taken). */
  port: number | undefined;
  /** Empty Azurite's data folder before starting, so history starts empty. */
  fresh: boolean;
  /** Probe more often than the csdef allows, so tests see a failing instance leave quickly. */
  probeIntervalMs: number | undefined;
  probeTimeoutMs: number | undefined;
  /** Azurite's table port; 10002 is what UseDevelopmentStorage=true means. */
  storagePort: number;
  /** Azurite's data folder, instead of the git-ignored .emulator/azurite (tests keep theirs apart). */
  storageDir: string | undefined;
  /** Where the emulator's process id goes for `npm run emulator:stop`. */
  pidFile: string;
  /** Setting values that replace the Local cscfg's for this run (`--setting REDIS_URL=redis://...`). */
  settings: Map<string, string>;
  /** Open the chat in the default browser once every instance is healthy. */
  launch: boolean;
  /**
   * Build first, unless dist is up to date (scripts/build.ts --if-changed), after checking that no
   * emulator runs from this folder and that the ports are free (package.json passes it, so that a
   * second `npm start` is refused before it rebuilds the files the first one serves).
   */
  build: boolean;
}

export const USAGE = `usage: npm run emulator -- [--instances N] [--port P] [--fresh]
                           [--probe-interval-ms MS] [--probe-timeout-ms MS]
                           [--storage-port P] [--storage-dir DIR] [--pid-file PATH]
                           [--setting NAME=VALUE]... [--launch]`;

export class OptionsError extends Error {}

export function parseEmulatorOptions(argv: readonly string[]): EmulatorOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        instances: { type: 'string' },
        port: { type: 'string' },
        fresh: { type: 'boolean' },
        'probe-interval-ms': { type: 'string' },
        'probe-timeout-ms': { type: 'string' },
        'storage-port': { type: 'string' },
        'storage-dir': { type: 'string' },
        'pid-file': { type: 'string' },
        setting: { type: 'string', multiple: true },
        launch: { type: 'boolean' },
        build: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  return {
    instances: whole(values, 'instances', 1, 64),
    port: whole(values, 'port', 1, 65535),
    fresh: values.fresh === true,
    probeIntervalMs: whole(values, 'probe-interval-ms', 50, 600_000),
    probeTimeoutMs: whole(values, 'probe-timeout-ms', 50, 600_000),
    storagePort: whole(values, 'storage-port', 1, 65535) ?? DEFAULT_TABLE_PORT,
    storageDir: typeof values['storage-dir'] === 'string' ? values['storage-dir'] : undefined,
    pidFile: typeof values['pid-file'] === 'string' ? values['pid-file'] : DEFAULT_PID_FILE,
    settings: new Map(((values.setting as string[] | undefined) ?? []).map(settingPair)),
    launch: values.launch === true,
    build: values.build === true,
  };
}

function whole(values: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new OptionsError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function settingPair(text: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) throw new OptionsError(`--setting takes NAME=VALUE, got "${text.split('=')[0]}"`);
  return [match[1]!, match[2]!];
}
