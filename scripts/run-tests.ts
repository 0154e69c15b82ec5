import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '../test/helpers/scratch-dir.js';

/**
 * `npm test`: builds WorkerRole1/dist (unless it is up to date), then runs every test/**\/*.test.ts
 * file with Node's own test runner, several files at once, the type check beside them, and prints
 * how long it all took. Arguments narrow the run to the files whose path contains any of them
 * (`npm test -- server/message`). TEST_CONCURRENCY sets how many files run at once.
 *
 * Each file runs in its own `node --test` process (as `node --test` itself would run it), with its
 * output held back and printed whole when it ends, so that files running side by side do not mix
 * their lines. Every file starts its own servers on ports the OS picks and keeps its data in
 * temporary folders, so files are independent, except the few that share something named in
 * EXCLUSIVE: those never run at the same time as each other.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const startedAt = Date.now();

/**
 * What test files share within this run (test/helpers/shared-artefact.ts: the App Service package
 * is made once for the files that check it), in memory where there is room (test/helpers/
 * scratch-dir.ts), removed when the run ends.
 */
const sharedDir = scratchDir('chatapp-test-run-');
process.once('exit', () => rmSync(sharedDir, { recursive: true, force: true }));
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

/**
 * Files of one group run one after another, beside the rest.
 */
const EXCLUSIVE: Record<string, string[]> = {
  // `npm run build` replaces WorkerRole1/dist file by file (so a server reading it meanwhile is
  // fine), but two builds at once remove each other's staging folder.
  'npm run build (WorkerRole1/.dist-building-*)': [
    'test/powershell/build-service.test.ts', // Build-Service.ps1 builds
    'test/scripts/emulator/build-while-serving.test.ts', // builds, and checks no staging folder is left
    'test/start-here.test.ts', // npm start builds first, unless dist is up to date (it is, after the build above)
  ],
};

/**
 * The longest files (measured on a 2-core machine) start first, so that the run does not end with
 * one long file running alone. The rest follow in path order. publish/app-service.test.ts makes
 * the App Service package that package/stage-linux.test.ts checks too (test/scripts/package/
 * helpers/app-service-package.ts): stage-linux comes later, to find it made rather than wait.
 * The run is bound by its total work, not by this order: replayed with the per-file times of nine
 * CI runs (each varied by -30%..+40%), every order of the longest files ends within a few seconds
 * of the others, with files of under 20 s running last.
 */
const LONGEST_FIRST = [
  'test/powershell/publish-service.test.ts',
  'test/scripts/publish/app-service.test.ts',
  'test/scripts/package/stage-role.test.ts',
  // The builders run one after another (EXCLUSIVE), so they start early, where others fill the gaps.
  // start-here, though in their group, is not among them: its npm start finds the build made
  // before the run up to date (measured: 19-23 s and 3 CPU s, against 90 s and 17 CPU s building).
  'test/powershell/build-service.test.ts',
  'test/scripts/emulator/build-while-serving.test.ts',
  'test/e2e/chat.test.ts',
  // Starts the build made before the run (Start-Emulator.ps1 -NoBuild), so it is no builder.
  'test/powershell/emulator.test.ts',
  'test/scripts/emulator/emulator.test.ts',
  'test/e2e/large-room.test.ts',
  'test/fault/membership-ground-truth.test.ts',
  'test/scripts/emulator/shared-sessions.test.ts',
  'test/scripts/package/stage-linux.test.ts',
];

/**
 * One more file than cores, at most 3: many files mostly wait (on Chromium, an emulator, Azurite,
 * a lease running out), so a third file fills the gaps. Measured on this 2-core machine while other
 * sessions shared it (load average 3-8): 2 at a time 6:07, 3 at a time 5:34, 4 at a time 5:52 with
 * a timing-sensitive publish test failing; one at a time, before, 13:56.
 */
const DEFAULT_CONCURRENCY = Math.max(1, Math.min(3, cpus().length + 1));
const concurrency = Number(process.env.TEST_CONCURRENCY ?? DEFAULT_CONCURRENCY);
if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
  console.error(`TEST_CONCURRENCY must be a whole number of at least 1, not ${process.env.TEST_CONCURRENCY}`);
  process.exit(1);
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests(join(root, 'test'))
  .map((file) => relative(root, file).split('\\').join('/'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

function rank(file: string): number {
  const index = LONGEST_FIRST.indexOf(file);
  return index === -1 ? LONGEST_FIRST.length : index;
}

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

interface Outcome {
  name: string;
  code: number | null;
  output: string;
  seconds: number;
  /** CPU time of the file's process and everything it waited for (servers, browsers, pwsh, npm). */
  cpuSeconds: number | undefined;
}

/**
 * CPU seconds used by this process's reaped children so far (cutime + cstime of /proc/self/stat,
 * Linux only): read when a child exits, the increase since the last reading is that child's work,
 * its own servers and tools included. Wall time says little on a shared machine; this does not
 * depend on what else runs.
 */
function reapedChildrenCpuSeconds(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
let cpuReadAt = reapedChildrenCpuSeconds();
function cpuSinceLastExit(): number | undefined {
  const now = reapedChildrenCpuSeconds();
  const used = now === undefined || cpuReadAt === undefined ? undefined : now - cpuReadAt;
  cpuReadAt = now;
  return used;
}

/** Runs a command with its output held back; resolves when it exits. */
function run(name: string, args: string[]): Promise<Outcome> {
  const begun = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TEST_SHARED_DIR: sharedDir } });
    const chunks: Buffer[] = [];
    let cpuSeconds: number | undefined;
    child.once('exit', () => (cpuSeconds = cpuSinceLastExit()));
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.once('close', (code) => resolve({ name, code, output: Buffer.concat(chunks).toString('utf8'), seconds: (Date.now() - begun) / 1000, cpuSeconds }));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const duration = (ms: number) => {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};

// The tests run the compiled server and the bundled client, so the build comes first, unless the
// last build was of these same files (scripts/build/up-to-date.ts).
const build = await run('npm run build', ['--import', 'tsx', 'scripts/build.ts', '--if-changed']);
process.stdout.write(build.output);
if (build.code !== 0) {
  console.error(`npm run build failed (exit code ${build.code}); no test ran`);
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// The client's tests import modules written for a browser: they are checked with the DOM's types, apart.
const typecheck = Promise.all([
  run('npm run typecheck', [tsc, '-p', 'tsconfig.json', '--noEmit']),
  run('npm run typecheck (client tests)', [tsc, '-p', 'test/client/tsconfig.json']),
]).then(([server, client]) => ({ code: server.code || client.code, output: server.output + client.output }));

const waiting = [...files];
const heldBy = new Map<string, string>(); // exclusive group -> the file holding it
const groupOf = (file: string) => Object.entries(EXCLUSIVE).find(([, members]) => members.includes(file))?.[0];
const outcomes: Outcome[] = [];

function nextFile(): string | undefined {
  const index = waiting.findIndex((file) => {
    const group = groupOf(file);
    return group === undefined || !heldBy.has(group);
  });
  return index === -1 ? undefined : waiting.splice(index, 1)[0];
}

/** One of `concurrency` lanes: takes the next file it may run until none is left. */
async function lane(): Promise<void> {
  for (;;) {
    const file = nextFile();
    if (file === undefined) {
      if (waiting.length === 0) return;
      // Only files of a group that is held are left: wait for one of them to end.
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const group = groupOf(file);
    if (group) heldBy.set(group, file);
    const outcome = await run(file, ['--import', 'tsx', '--test', '--test-reporter=spec', file]);
    if (group) heldBy.delete(group);
    outcomes.push(outcome);
    process.stdout.write(outcome.output);
    const cpu = outcome.cpuSeconds === undefined ? '' : `, CPU ${outcome.cpuSeconds.toFixed(1)} s`;
    console.log(`${outcome.code === 0 ? '✔' : '✖'} ${file} (${seconds(outcome.seconds * 1000)}${cpu})\n`);
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
const checked = await typecheck;
if (checked.code !== 0) process.stdout.write(checked.output);

/** The totals Node's spec reporter prints at the end of each file ("ℹ pass 12"). */
function count(label: string): number {
  const pattern = new RegExp(`^ℹ ${label} (\\d+)$`, 'gm');
  return outcomes.reduce((sum, outcome) => sum + [...outcome.output.matchAll(pattern)].reduce((n, match) => n + Number(match[1]), 0), 0);
}

const failed = outcomes.filter((outcome) => outcome.code !== 0);
const slowest = [...outcomes].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
console.log(`slowest files: ${slowest.map((outcome) => `${outcome.name} ${outcome.seconds.toFixed(1)} s`).join(', ')}`);
if (outcomes.every((outcome) => outcome.cpuSeconds !== undefined)) {
  const busiest = [...outcomes].sort((a, b) => b.cpuSeconds! - a.cpuSeconds!).slice(0, 5);
  const total = outcomes.reduce((sum, outcome) => sum + outcome.cpuSeconds!, 0);
  console.log(`most CPU: ${busiest.map((outcome) => `${outcome.name} ${outcome.cpuSeconds!.toFixed(1)} s`).join(', ')}; all files ${total.toFixed(0)} CPU s`);
}
console.log(`${count('tests')} tests in ${files.length} files, ${concurrency} at a time; typecheck ${checked.code === 0 ? 'clean' : 'FAILED'}`);
// The plain totals line CI's reader looks for; a file that crashed before its totals counts as failed.
console.log(`tests: ${count('pass')} passed, ${count('fail') + failed.filter((outcome) => !/^ℹ fail \d+$/m.test(outcome.output)).length} failed, ${count('skipped')} skipped`);
for (const outcome of failed) console.log(`✖ failed: ${outcome.name}`);
console.log(`npm test took ${duration(Date.now() - startedAt)} (m:ss) on Node ${process.versions.node}`);
process.exit(failed.length === 0 && checked.code === 0 ? 0 : 1);
