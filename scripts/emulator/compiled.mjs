/**
 * `npm start` (and `npm run emulator`): compiles the emulator, scripts/emulator/main.ts and what it
 * imports, into one JavaScript file with esbuild (under a second), and Azurite's thread's entry
 * (azurite-worker.ts) into another beside it, then runs the first in this process. Nothing else
 * stays running beside the emulator: no npm, no tsx loader, no esbuild service (stopped once the
 * files are written). The arguments pass through unchanged.
 * Plain JavaScript because it runs before anything is compiled.
 */
import { renameSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

// Two levels below the repository, as main.ts is: it finds the repository from its own location.
// Azurite's thread runs its own entry, compiled beside main.js (azurite.ts finds it there).
const outdir = fileURLToPath(new URL('../../dist/emulator/', import.meta.url));
const { outputFiles } = await build({
  entryPoints: ['main.ts', 'azurite-worker.ts'].map((entry) => fileURLToPath(new URL(entry, import.meta.url))),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  write: false,
  logLevel: 'warning',
});
await stop();
// A second `npm start` compiles while the first runs: each replaces the files whole, never half-written.
mkdirSync(outdir, { recursive: true });
for (const output of outputFiles) {
  const staged = `${output.path}.${process.pid}`;
  writeFileSync(staged, output.contents);
  renameSync(staged, output.path);
}
await import(pathToFileURL(join(outdir, 'main.js')).href);
