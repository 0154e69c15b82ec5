import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const role = `${root}WorkerRole1/`;
const publicOut = `${role}dist/public/`;

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync(`${role}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${role}tsconfig.json`], { stdio: 'inherit' });
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
console.log('built WorkerRole1/dist');
