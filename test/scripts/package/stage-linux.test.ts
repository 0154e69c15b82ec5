import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { checkLinuxStagedRole } from '../../../scripts/package/check-staged-role.js';
import type { AppServicePackageResult } from '../../../scripts/package/main.js';
import { zipFolder } from '../../../scripts/package/zip-folder.js';
import { appServicePackage } from './helpers/app-service-package.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const DEV_TOOLS = ['typescript', 'tsx', 'esbuild', 'azurite', 'fflate', '@azure/arm-appservice', '@azure/arm-compute', 'socket.io-client'];

function walk(root: string, relative = ''): string[] {
  return readdirSync(join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.name === '.bin' && relative.endsWith('node_modules')) return [];
    return entry.isDirectory() ? walk(root, path) : [path];
  });
}

describe('npm run package -- --target appservice (npm test builds WorkerRole1/dist first)', () => {
  // The package is made once per npm test run and shared with publish/app-service.test.ts: read-only.
  let packaged: string;
  let result: AppServicePackageResult;
  let logged: string[];
  let scratch: string;

  before(async () => {
    assert.ok(existsSync(join(REPOSITORY, 'WorkerRole1', 'dist', 'server', 'main.js')), 'run npm run build first');
    ({ outDir: packaged, result, logged } = await appServicePackage(REPOSITORY));
    scratch = mkdtempSync(join(tmpdir(), 'chatapp-stage-linux-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('stages the role for Linux: the server, its production dependencies, no node.exe, no startup tasks, no dev tools', () => {
    const staged = result.stagedRole;
    assert.equal(staged, join(packaged, 'package-linux', 'WorkerRole1'));
    for (const file of ['dist/server/main.js', 'dist/public/index.html', 'package.json', 'package-lock.json', 'node_modules/socket.io/package.json']) {
      assert.ok(existsSync(join(staged, file)), file);
    }
    for (const absent of ['node', 'startup', 'src', ...DEV_TOOLS.map((tool) => `node_modules/${tool}`)]) assert.ok(!existsSync(join(staged, absent)), `${absent} must not ship`);
    assert.deepEqual(checkLinuxStagedRole({ stagedRole: staged, devOnlyPackages: DEV_TOOLS }), []);
    assert.ok(logged.some((line) => /production packages for linux-x64/.test(line)));
  });

  it('zips exactly the staged files, which Info-ZIP lists and unpacks', () => {
    const listed = spawnSync('unzip', ['-Z1', result.zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(listed.status, 0, listed.stderr);
    const inZip = listed.stdout.split('\n').filter((line) => line !== '');
    assert.deepEqual(inZip.sort(), walk(result.stagedRole).sort());
    const test = spawnSync('unzip', ['-tq', result.zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(test.status, 0, `unzip -t: ${test.stdout}${test.stderr}`);
    assert.ok(logged.some((line) => line.startsWith(`wrote ${result.zip} (${inZip.length} files`)), logged.join('\n'));
  });

  it('fails the check, naming what is wrong, when the start script is missing or Windows pieces slipped in', () => {
    const broken = mkdtempSync(join(scratch, 'broken-'));
    writeFileSync(join(broken, 'package.json'), JSON.stringify({ dependencies: { express: '5' } }));
    mkdirSync(join(broken, 'node'));
    assert.deepEqual(checkLinuxStagedRole({ stagedRole: broken, devOnlyPackages: [] }), [
      'dist/server/main.js is missing (the App Service start command runs it)',
      'node_modules/express/package.json is missing (a production dependency of the role)',
      'node/ is for the Windows VM and must not ship to App Service',
    ]);
  });

  it('refuses a symbolic link outside node_modules/.bin instead of dropping it', () => {
    const folder = mkdtempSync(join(scratch, 'linked-'));
    writeFileSync(join(folder, 'a.js'), '');
    symlinkSync('a.js', join(folder, 'b.js'));
    assert.throws(() => zipFolder(folder, join(scratch, 'linked.zip')), /b\.js is a symbolic link/);
  });
});
