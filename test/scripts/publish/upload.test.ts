import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { uploadDeploymentFiles } from '../../../scripts/publish/upload.js';
import { retryWhileAccessApplies } from '../../../scripts/publish/upload-retry.js';
import { type BlobEmulator, startBlobEmulator } from './helpers/azurite-blob.js';

describe('uploading the package and configuration (real Azurite blob service)', () => {
  let emulator: BlobEmulator;
  let folder: string;
  const packageBytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7); // over one upload block
  const cscfg = '<ServiceConfiguration><Setting name="REDIS_URL" value="rediss://:key@host:6380"/></ServiceConfiguration>';
  const now = new Date();

  before(async () => {
    emulator = await startBlobEmulator();
    folder = mkdtempSync(join(tmpdir(), 'chatapp-upload-'));
    writeFileSync(join(folder, 'chatapp.cspkg'), packageBytes);
  });
  after(async () => {
    await emulator.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const upload = (container: string) =>
    uploadDeploymentFiles({
      service: BlobServiceClient.fromConnectionString(emulator.connectionString),
      container,
      packageFile: join(folder, 'chatapp.cspkg'),
      configurationXml: cscfg,
      blobs: { package: 'demo/1/chatapp.cspkg', configuration: 'demo/1/ServiceConfiguration.Cloud.cscfg' },
      sasHours: 2,
      now,
    });

  it('puts both files in a private container and hands out read-only SAS URLs that expire in sasHours', async () => {
    const uploaded = await upload('chatapp-packages');

    for (const url of [uploaded.packageUrl, uploaded.configurationUrl]) {
      const sas = new URL(url).searchParams;
      assert.equal(sas.get('sp'), 'r', 'read permission only');
      assert.equal(sas.get('sr'), 'b', 'one blob, not the container');
      const expires = new Date(sas.get('se')!).getTime();
      assert.ok(Math.abs(expires - (now.getTime() + 2 * 3_600_000)) < 2000, `expires two hours from now (${sas.get('se')})`);
      assert.ok(new Date(sas.get('st')!).getTime() <= now.getTime(), 'valid from before now (clock skew)');
    }

    // What Azure will do: read with the SAS.
    const packageResponse = await fetch(uploaded.packageUrl);
    assert.equal(packageResponse.status, 200);
    assert.deepEqual(Buffer.from(await packageResponse.arrayBuffer()), packageBytes);
    assert.equal(await (await fetch(uploaded.configurationUrl)).text(), cscfg);

    // What the SAS must not allow: writing, or deleting.
    const write = await fetch(uploaded.configurationUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'overwritten' });
    assert.equal(write.status, 403);
    assert.equal((await fetch(uploaded.configurationUrl, { method: 'DELETE' })).status, 403);

    // Without the SAS the container is closed.
    const anonymous = await fetch(uploaded.configurationUrl.split('?')[0]!);
    assert.ok([403, 404].includes(anonymous.status), `anonymous read refused (HTTP ${anonymous.status})`);
    const container = BlobServiceClient.fromConnectionString(emulator.connectionString).getContainerClient('chatapp-packages');
    assert.equal((await container.getAccessPolicy()).blobPublicAccess, undefined);
  });

  it('runs twice into the same container (an update re-uploads under new names)', async () => {
    await upload('chatapp-packages');
  });

  it('refuses a container that allows anonymous reads, with the fix', async () => {
    const service = BlobServiceClient.fromConnectionString(emulator.connectionString);
    await service.getContainerClient('public-packages').create({ access: 'blob' });
    await assert.rejects(upload('public-packages'), /allows anonymous blob access[\s\S]*fix: make it private/);
  });
});

describe('waiting for access to a new storage account', () => {
  const forbidden = Object.assign(new Error('This request is not authorized to perform this operation using this permission.'), { statusCode: 403, code: 'AuthorizationPermissionMismatch' });
  const notResolved = Object.assign(new Error('getaddrinfo ENOTFOUND chatnew.blob.core.windows.net'), { code: 'REQUEST_SEND_ERROR' });
  const failing = (errors: Error[]) => async () => {
    const error = errors.shift();
    if (error) throw error;
    return 'uploaded';
  };
  const options = (roleJustAssigned: boolean, accountJustCreated: boolean, lines: string[]) => ({
    timeoutMs: 1_000, intervalMs: 100, log: (line: string) => lines.push(line), roleJustAssigned, accountJustCreated, sleep: async () => {},
  });

  it('retries a 403 while a role assigned in this run applies, and a new account\'s name while it does not resolve, saying why', async () => {
    const lines: string[] = [];
    assert.equal(await retryWhileAccessApplies(failing([notResolved, forbidden, forbidden]), options(true, true, lines)), 'uploaded');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^the new storage account's address does not resolve yet: retrying in 0 s \(waited 0 s of at most 1 s\)$/);
    assert.match(lines[1]!, /^the Storage Blob Data Contributor role assigned just now is not in effect yet \(HTTP 403 AuthorizationPermissionMismatch\); Azure takes up to a few minutes: retrying in 0 s/);
  });

  it('does not wait for a role nobody assigned in this run, or for an old account\'s name', async () => {
    await assert.rejects(retryWhileAccessApplies(failing([forbidden]), options(false, true, [])), /not authorized/);
    await assert.rejects(retryWhileAccessApplies(failing([notResolved]), options(true, false, [])), /ENOTFOUND/);
  });
});
