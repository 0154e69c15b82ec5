/**
 * The stand-ins for Azure that the Pester tests point Publish-Service.ps1 at, in one process: the
 * fake Resource Manager and the real Azurite blob service the npm publish tests use, plus a small
 * loopback control endpoint through which the tests read what reached them:
 *   GET /requests  the Resource Manager requests since the last call ({ method, path, authorization })
 *   GET /blobs     every blob name in the account
 * Prints one JSON line with the three URLs, then runs until its standard input closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { startBlobEmulator } from '../../scripts/publish/helpers/azurite-blob.js';
import { FakeResourceManager } from '../../scripts/publish/helpers/fake-resource-manager.js';

const arm = new FakeResourceManager();
await arm.start();
const blobs = await startBlobEmulator();
const blobService = BlobServiceClient.fromConnectionString(blobs.connectionString);

async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const container of blobService.listContainers()) {
    for await (const blob of blobService.getContainerClient(container.name).listBlobsFlat()) names.push(`${container.name}/${blob.name}`);
  }
  return names;
}

const control = createServer((request, response) => {
  const answer = async () => {
    if (request.url === '/requests') return arm.takeRequests().map(({ method, path, authorization }) => ({ method, path, authorization }));
    if (request.url === '/blobs') return blobNames();
    return undefined;
  };
  answer().then(
    (body) => {
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body ?? { error: `no ${request.url}` }));
    },
    (error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error.message }));
    },
  );
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

console.log(JSON.stringify({ arm: arm.url, blob: blobs.url, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` }));

process.stdin.resume();
process.stdin.once('close', () => {
  control.closeAllConnections();
  control.close();
  void Promise.all([arm.close(), blobs.close()]).finally(() => process.exit(0));
});
