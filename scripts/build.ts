/**
 * `npm run build`: compiles the server (tsc) and bundles the browser client (esbuild) into
 * WorkerRole1/dist. Everything is written to a staging folder beside dist first and moved into
 * place only when the whole build has succeeded, so a running emulator or server keeps serving
 * complete files while this runs, and a failed build leaves the previous dist as it was.
 *
 * `--if-changed` (what `npm start` and `npm test` pass): builds only when an input changed since
 * the last build, or dist did (scripts/build/up-to-date.ts). `npm run build` itself always builds.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { moveIntoPlace } from './build/move-into-place.js';
import { inputsDigest, isUpToDate, recordBuild } from './build/up-to-date.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const role = `${root}WorkerRole1/`;
const STAGING_PREFIX = '.dist-building-';
const staged = `${role}${STAGING_PREFIX}${process.pid}/`;
const publicOut = `${staged}public/`;

const inputs = inputsDigest(root);
if (process.argv.slice(2).includes('--if-changed') && isUpToDate(root, inputs)) {
  console.log('WorkerRole1/dist is up to date: nothing it is built from changed since the last build');
  process.exit(0);
}

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// What a build that was killed half-way left behind (a build still running keeps its own).
for (const name of readdirSync(role)) {
  const pid = name.startsWith(STAGING_PREFIX) ? Number(name.slice(STAGING_PREFIX.length)) : Number.NaN;
  if (Number.isSafeInteger(pid) && !isRunning(pid)) rmSync(`${role}${name}`, { recursive: true, force: true });
}

try {
  rmSync(staged, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', `${role}tsconfig.json`, '--outDir', staged], { stdio: 'inherit' });
  execFileSync(process.execPath, [tsc, '-p', `${role}src/client/tsconfig.json`], { stdio: 'inherit' });

  mkdirSync(publicOut, { recursive: true });
  cpSync(`${role}public/`, publicOut, { recursive: true });
  await build({
    entryPoints: [`${role}src/client/main.ts`],
    outfile: `${publicOut}app.js`,
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  moveIntoPlace(staged, `${role}dist`);
  recordBuild(root, inputs);
} catch (error) {
  rmSync(staged, { recursive: true, force: true });
  // tsc and esbuild have printed their errors already.
  console.error(`build failed; WorkerRole1/dist is unchanged (${(error as Error).message.split('\n')[0]})`);
  process.exit(1);
}
console.log('built WorkerRole1/dist');
