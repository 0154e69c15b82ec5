/**
 * `npm start` (and `npm run emulator`): compiles the emulator, scripts/emulator/main.ts and what it
 * imports, into one JavaScript file with esbuild (under a second), then runs that file in this
 * process. Nothing else stays running beside the emulator: no npm, no tsx loader, no esbuild
 * service (stopped once the file is written). The arguments pass through unchanged.
 * Plain JavaScript because it runs before anything is compiled.
 */
import { renameSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';

// Two levels below the repository, as main.ts is: it finds the repository from its own location.
const outfile = fileURLToPath(new URL('../../dist/emulator/main.js', import.meta.url));
const [output] = (await build({
  entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  write: false,
  logLevel: 'warning',
})).outputFiles;
await stop();
// A second `npm start` compiles while the first runs: each replaces the file whole, never half-written.
mkdirSync(dirname(outfile), { recursive: true });
const staged = `${outfile}.${process.pid}`;
writeFileSync(staged, output.contents);
renameSync(staged, outfile);
await import(pathToFileURL(outfile).href);
