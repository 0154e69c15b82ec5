import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type ManagedIdentityEndpoint, startManagedIdentityEndpoint } from '../../helpers/managed-identity-endpoint.js';
import { type IngestionServer, startIngestionServer } from './receivers.js';
import { startServerProcess } from './server-process.js';
import { newMarker, shortChat } from './short-chat.js';

/**
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD: the exporter authenticates each
 * ingestion request with a token from the site's managed identity (here the identity endpoint
 * stand-in), as a resource with local authentication disabled requires.
 */
let identity: ManagedIdentityEndpoint;
let ingestion: IngestionServer;

before(async () => {
  [identity, ingestion] = await Promise.all([startManagedIdentityEndpoint(), startIngestionServer()]);
});

after(async () => {
  await Promise.all([identity?.close(), ingestion?.close()]);
});

test('with Authorization=AAD every ingestion request carries a bearer token of the managed identity for Azure Monitor', async () => {
  const server = await startServerProcess({
    ...identity.env,
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`,
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
    NODE_EXTRA_CA_CERTS: ingestion.caFile,
    OTEL_TRACES_SAMPLER: 'always_on',
  });
  await shortChat(server.url, newMarker());
  // The first export, waited for: left to the flush at shutdown, which is bounded (2 s), it can
  // miss on a loaded machine (fetching the token and exporting took longer once, and nothing came).
  const isTrack = (request: { path: string }) => request.path.includes('/track');
  const deadline = Date.now() + 60_000;
  while (!ingestion.requests.some(isTrack) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(await server.stop(), 0);

  const tracks = ingestion.requests.filter(isTrack);
  assert.ok(tracks.length > 0, 'telemetry reached the ingestion endpoint');
  const monitorTokens = new Set(identity.minted.filter(({ resource }) => resource.startsWith('https://monitor.azure.com')).map(({ token }) => token));
  assert.ok(monitorTokens.size > 0, `tokens were asked for ${identity.minted.map(({ resource }) => resource).join(', ')}`);
  for (const track of tracks) {
    const token = /^Bearer (.+)$/.exec(track.authorization ?? '')?.[1];
    assert.ok(token !== undefined && monitorTokens.has(token), `${track.path} authorized with ${track.authorization === undefined ? 'nothing' : 'another token'}`);
  }
  assert.equal(identity.refused, 0);
});
