import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { DEPLOYMENTS_API_VERSION, WEB_API_VERSION } from '../../../scripts/publish/api-versions.js';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { appServicePackage } from '../package/helpers/app-service-package.js';
import { FakeKudu } from './helpers/fake-kudu.js';
import { FAKE_ARM_CA, FakeResourceManager, type RecordedRequest } from './helpers/fake-resource-manager.js';
import { TEMPLATE_UNDER_TEST, templateUnderTest } from './helpers/template-under-test.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-chatapp-test/providers`;
const SITE = `${GROUP}/Microsoft.Web/sites/chatapp-test`;
const DEPLOYMENT = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Resources/deployments/chatapp-chatapp-test`;
const PORTAL_SECRET = 'otlp-header-key-not-to-be-printed';

const fakeCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** The body of the (one) deployment PUT among these requests. */
function deploymentBody(requests: RecordedRequest[]): any {
  const puts = requests.filter(({ method, path }) => method === 'PUT' && path === DEPLOYMENT);
  assert.equal(puts.length, 1, 'one deployment per publish');
  return puts[0]!.body;
}

/**
 * Publish against the stand-in Resource Manager (which plays the template's deployment and leaves
 * the site and its app settings behind) and a stand-in Kudu that unpacks the zip and starts it. The
 * site's settings name Azure endpoints that do not exist here (a storage account and Azure Managed
 * Redis reached with the site's managed identity); Kudu starts the package with those swapped for a
 * real redis-server and Azurite on loopback, so the test shows the zip runs with everything else
 * publish set. (The keyless path against real services is the role's own test: branch role-entra.)
 */
describe('publish --target appservice against a fake Resource Manager and a deployment endpoint that runs the package', () => {
  let arm: FakeResourceManager;
  let kudu: FakeKudu;
  let redis: RunningRedisServer;
  let azurite: RunningAzurite;
  let out: string;
  let zip: string;
  // For the tests about the deployment request: a server of a few lines that answers /healthz, so
  // each run (a refused one too) does not upload the real 19 MiB package again (the first test
  // deploys the real one).
  let smallZip: string;
  let logged: string[] = [];
  let firstBody: unknown;

  before(async () => {
    assert.ok(existsSync(join(REPOSITORY, 'WorkerRole1', 'dist', 'server', 'main.js')), 'run npm run build first');
    out = mkdtempSync(join(tmpdir(), 'chatapp-appservice-'));
    // Made once per npm test run and shared with package/stage-linux.test.ts, which checks its contents.
    zip = (await appServicePackage(REPOSITORY)).result.zip;
    smallZip = join(out, 'small.zip');
    const server = "require('node:http').createServer((q, s) => s.end('{\"status\":\"ok\"}')).listen(process.env.PORT, () => console.log('chat listening'));";
    writeFileSync(smallZip, zipSync({ 'dist/server/main.js': new TextEncoder().encode(server) }));
    [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
    arm = new FakeResourceManager();
    await arm.start();
    kudu = new FakeKudu(() => {
      const site = { ...((arm.stored(`${SITE}/config/appsettings`)?.properties ?? {}) as Record<string, string>) };
      for (const name of ['STORAGE_TABLE_ENDPOINT', 'REDIS_URL', 'REDIS_AUTH', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'OTEL_EXPORTER_OTLP_HEADERS']) delete site[name];
      return { ...site, STORAGE_CONNECTION_STRING: azurite.connectionString, REDIS_URL: redis.url };
    });
    await kudu.start();
  });
  after(async () => {
    await kudu?.close();
    await arm?.close();
    await redis?.stop();
    await azurite?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  // Only subscription, name and location: the resource group defaults to rg-<name>.
  const argv = (...extra: string[]) => ['--target', 'appservice', '--subscription', SUBSCRIPTION, '--name', 'chatapp-test', '--location', 'westeurope', '--package', zip, ...extra];
  const environment = (): PublishEnvironment => ({
    env: {},
    log: (line) => logged.push(line),
    credential: async () => fakeCredential,
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
    deployment: { endpoint: kudu.url, ca: FAKE_ARM_CA },
    templateFile: TEMPLATE_UNDER_TEST,
  });
  const lines = (requests: RecordedRequest[]) => requests.map(({ method, path }) => `${method} ${path}`);
  const assertNoSecretLogged = () => {
    const output = logged.join('\n');
    for (const secret of [PORTAL_SECRET, 'b2xkLWtleQ==', azurite.connectionString]) assert.ok(!output.includes(secret), 'a secret reached the log');
  };

  it('deploys infra/main.json as ONE subscription-scope deployment, waits for it, then the zip, which starts and answers /healthz', async () => {
    logged = [];
    const result = await publish(argv(), environment());
    assert.deepEqual(result, { publicUrl: 'https://chatapp-test.azurewebsites.net/', outcome: 'deployed' });

    const requests = arm.takeRequests();
    assert.deepEqual([...new Set(lines(requests))], [
      // The site's settings, to keep the ones publish does not manage (none yet: no site).
      `POST ${GROUP}/Microsoft.Web/sites/chatapp-test/config/appsettings/list`,
      `PUT ${DEPLOYMENT}`,
      `GET ${DEPLOYMENT}/operationStatuses/085841`,
      `GET ${DEPLOYMENT}`,
    ], 'no call-by-call PUT of a plan, site or setting: the template is the only description');
    for (const request of requests) {
      assert.equal(request.authorization, 'Bearer fake-token', `${request.method} ${request.path} carries the token`);
      assert.equal(request.apiVersion, request.path.includes('Microsoft.Web') ? WEB_API_VERSION : DEPLOYMENTS_API_VERSION, `${request.method} ${request.path}`);
    }

    // The wire body, after the SDK's serializers: what Resource Manager would receive.
    const body = deploymentBody(requests);
    firstBody = body;
    assert.deepEqual(Object.keys(body).sort(), ['location', 'properties']);
    assert.equal(body.location, 'westeurope');
    assert.equal(body.properties.mode, 'Incremental');
    assert.deepEqual(body.properties.template, templateUnderTest(), 'the template is infra/main.json, unchanged');
    assert.deepEqual(body.properties.parameters, {
      name: { value: 'chatapp-test' },
      location: { value: 'westeurope' },
      resourceGroupName: { value: 'rg-chatapp-test' },
      sku: { value: 'P0v3' },
      instanceCount: { value: 2 },
      roleSettings: { value: { LOG_LEVEL: 'info' } },
      keptAppSettings: { value: {} },
    });

    const [deployment] = kudu.deployments;
    assert.ok(deployment, 'the zip reached the deployment endpoint');
    await deployment.done;
    assert.equal(deployment.failure, undefined);
    assert.equal(deployment.authorization, 'Bearer fake-token');
    assert.equal(deployment.contentType, 'application/zip');
    assert.ok(deployment.files.includes('dist/server/main.js') && deployment.files.includes('node_modules/socket.io/package.json'));
    assert.ok(!deployment.files.some((file) => file.startsWith('node/') || file.startsWith('startup/')), 'nothing of the Windows VM ships');
    assert.equal(deployment.healthz?.status, 200, 'the unpacked package started under Linux Node with the site\'s settings and answered /healthz');
    assert.equal(deployment.healthz?.body.status, 'ok');

    assert.ok(logged.includes('chat: https://chatapp-test.azurewebsites.net/'), 'the URL from the WEB_APP_URL output');
    assert.ok(logged.some((line) => /^deployment chatapp-chatapp-test succeeded: web app chatapp-test, Redis chatapp-test-redis\./.test(line)));
    assert.ok(logged.some((line) => /^Kudu is deploying: unpacking and starting/.test(line)), 'progress while the site deploys');
    assertNoSecretLogged();
  });

  it('sends the same request when run again with the same inputs', async () => {
    await publish(argv('--package', smallZip), environment());
    assert.deepEqual(deploymentBody(arm.takeRequests()), firstBody, 're-running changes nothing: the same template and parameters');
    await kudu.deployments.at(-1)!.done;
  });

  it('keeps an app setting added in the portal as the secure keptAppSettings, drops a key an older publish left, and logs no value', async () => {
    logged = [];
    const settings = arm.stored(`${SITE}/config/appsettings`)!;
    settings.properties.WEBSITE_TIME_ZONE = 'Europe/Amsterdam';
    settings.properties.OTEL_EXPORTER_OTLP_HEADERS = `api-key=${PORTAL_SECRET}`;
    settings.properties.STORAGE_CONNECTION_STRING = 'DefaultEndpointsProtocol=https;AccountName=old;AccountKey=b2xkLWtleQ==';
    const result = await publish(argv('--package', smallZip, '--setting', 'LOG_LEVEL=debug', '--setting', 'HISTORY_RETENTION_DAYS=7', '--sku', 's1', '--instances', '3'), environment());
    assert.equal(result.outcome, 'deployed');
    const body = deploymentBody(arm.takeRequests());
    assert.deepEqual(body.properties.parameters.keptAppSettings, { value: { OTEL_EXPORTER_OTLP_HEADERS: `api-key=${PORTAL_SECRET}`, WEBSITE_TIME_ZONE: 'Europe/Amsterdam' } });
    assert.deepEqual(body.properties.parameters.roleSettings, { value: { LOG_LEVEL: 'debug', HISTORY_RETENTION_DAYS: '7' } });
    assert.deepEqual([body.properties.parameters.sku, body.properties.parameters.instanceCount], [{ value: 'S1' }, { value: 3 }]);
    const site = arm.stored(`${SITE}/config/appsettings`)!.properties;
    assert.equal(site.WEBSITE_TIME_ZONE, 'Europe/Amsterdam', 'the portal\'s setting survives the update');
    assert.equal(site.STORAGE_CONNECTION_STRING, undefined, 'the old key-based setting is gone (the role refuses it beside STORAGE_TABLE_ENDPOINT)');
    assert.ok(logged.some((line) => line === 'keeping app settings publish does not manage: OTEL_EXPORTER_OTLP_HEADERS, WEBSITE_TIME_ZONE'));
    await kudu.deployments.at(-1)!.done;
    assertNoSecretLogged();
  });

  it('turns a 403 on reading the site into "missing permission" naming the roles the template needs', async () => {
    arm.failNext({
      method: 'POST',
      pathIncludes: '/config/appsettings/list',
      status: 403,
      code: 'AuthorizationFailed',
      message: "The client 'someone@example.com' does not have authorization to perform action 'Microsoft.Web/sites/config/list/action'.",
    });
    await assert.rejects(publish(argv(), environment()), (error: Error) => {
      assert.match(error.message, /missing permission \(HTTP 403 AuthorizationFailed\)/);
      assert.match(error.message, /fix: ask for "Contributor" on the subscription .* "User Access Administrator" or "Role Based Access Control Administrator"/);
      return true;
    });
    assert.ok(!arm.takeRequests().some(({ method }) => method === 'PUT'), 'nothing deployed');
  });

  it('reports a package the site cannot run as a failed deployment, with the reason the site gave', async () => {
    const broken = join(out, 'broken.zip');
    writeFileSync(broken, zipSync({ 'package.json': new TextEncoder().encode('{}') }));
    const args = argv();
    args[args.indexOf('--package') + 1] = broken;
    await assert.rejects(publish(args, environment()), /the zip deployment failed on the site: the package has no dist\/server\/main\.js[\s\S]*fix: read the deployment log/);
    arm.takeRequests();
  });

  it('says which role to ask for when the deployment endpoint refuses the token', async () => {
    const refused: TokenCredential = { getToken: async () => ({ token: 'token-without-rights', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const deployments = kudu.deployments.length;
    await assert.rejects(publish(argv('--package', smallZip), { ...environment(), credential: async () => refused }), (error: Error) => {
      assert.match(error.message, /the deployment endpoint 127\.0\.0\.1:\d+ refused the token \(HTTP 401\)/);
      assert.match(error.message, /fix: ask for the "Website Contributor" \(or "Contributor"\) role on the web app/);
      return true;
    });
    assert.equal(kudu.deployments.length, deployments, 'nothing was deployed');
    arm.takeRequests();
  });

  it('refuses a STORAGE_CONNECTION_STRING given by the user before sending anything: the template provisions storage without keys', async () => {
    await assert.rejects(publish([...argv(), '--storage-connection-string', azurite.connectionString], environment()), (error: Error) => {
      assert.match(error.message, /STORAGE_CONNECTION_STRING given, but on App Service the template provisions it without keys/);
      assert.match(error.message, /fix: leave --setting STORAGE_CONNECTION_STRING out/);
      assert.ok(!error.message.includes(azurite.connectionString), 'the value is not repeated');
      return true;
    });
    assert.deepEqual(arm.takeRequests(), []);
  });

  it('says "package missing" with the command that makes it, before sending anything', async () => {
    const args = argv();
    args[args.indexOf('--package') + 1] = join(out, 'nowhere.zip');
    await assert.rejects(publish(args, environment()), /package missing: .*nowhere\.zip[\s\S]*fix: run npm run package -- --target appservice/);
    assert.deepEqual(arm.takeRequests(), []);
  });
});
