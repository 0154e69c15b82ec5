import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type PackageLock, productionLock } from '../../../scripts/package/production-lock.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

describe("the role's lock, cut out of the workspace lock", () => {
  const lock: PackageLock = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'root', devDependencies: { typescript: '^5' } },
      role: { name: 'role', version: '1.0.0', dependencies: { a: '^1', c: '^1' } },
      'node_modules/role': { link: true, resolved: 'role' },
      'node_modules/a': { version: '1.0.0', dependencies: { b: '^1' }, optionalDependencies: { 'gone-elsewhere': '^1' } },
      'node_modules/b': { version: '1.2.0', dev: true },
      'node_modules/a/node_modules/b': { version: '2.0.0' },
      'role/node_modules/c': { version: '3.0.0', hasInstallScript: true },
      'node_modules/typescript': { version: '5.9.3', dev: true },
    },
  };

  it('keeps exactly what the role reaches, at node resolution paths relative to the role', () => {
    const { lock: roleLock, installScripts } = productionLock(lock, 'role');
    assert.deepEqual(Object.keys(roleLock.packages).sort(), ['', 'node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c']);
    assert.equal(roleLock.packages['node_modules/a/node_modules/b']?.version, '2.0.0', 'the nested copy a resolves to');
    assert.equal(roleLock.packages['node_modules/c']?.version, '3.0.0');
    assert.deepEqual(roleLock.packages['']?.dependencies, { a: '^1', c: '^1' });
    assert.deepEqual(installScripts, ['c@3.0.0']);
  });

  it('says what to do when the lock is missing a dependency', () => {
    const stale = structuredClone(lock);
    delete stale.packages['node_modules/a'];
    assert.throws(() => productionLock(stale, 'role'), /a, needed by role, is not in the lock; run npm install/);
  });

  it("holds none of the repository's dev tools for the real WorkerRole1", () => {
    const root = JSON.parse(readFileSync(`${REPOSITORY}package-lock.json`, 'utf8')) as PackageLock;
    const { lock: roleLock, installScripts } = productionLock(root, 'WorkerRole1');
    const names = Object.keys(roleLock.packages);
    for (const tool of ['typescript', 'tsx', 'esbuild', 'azurite', 'playwright-core', '@azure/arm-compute', 'socket.io-client']) {
      assert.ok(!names.includes(`node_modules/${tool}`), `${tool} must not ship`);
    }
    // @azure/identity is the role's own now (it signs in to storage and Redis with its managed identity).
    for (const dependency of ['socket.io', 'express', 'pino', 'zod', '@azure/identity']) assert.ok(names.includes(`node_modules/${dependency}`), dependency);
    // Scripts the root package.json's allowScripts sets to false are known to be unneeded (protobufjs).
    const { allowScripts = {} } = JSON.parse(readFileSync(`${REPOSITORY}package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
    const needed = installScripts.filter((spec) => allowScripts[spec.slice(0, spec.lastIndexOf('@'))] !== false);
    assert.deepEqual(needed, [], 'no native module: everything installs for win32 from here');
  });
});
