import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { packageAppService } from '../../../scripts/package/main.js';
import { WEB_API_VERSION } from '../../../scripts/publish/api-versions.js';
import { type PublishEnvironment, publish } from '../../../scripts/publish/main.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { FakeKudu } from './helpers/fake-kudu.js';
import { FAKE_ARM_CA, FakeResourceManager, type RecordedRequest } from './helpers/fake-resource-manager.js';
import { checkAgainstDefinition, loadSwagger } from './helpers/swagger-check.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const web = loadSwagger(fileURLToPath(new URL('./fixtures/azure/web-2024-11-01/CommonDefinitions.json', import.meta.url)));
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/chat-rg/providers`;
const SITE = `${GROUP}/Microsoft.Web/sites/chatapp-test`;

const fakeCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('publish --target appservice against a fake Resource Manager and a deployment endpoint that runs the package', () => {
  let arm: FakeResourceManager;
  let kudu: FakeKudu;
  let redis: RunningRedisServer;
  let azurite: RunningAzurite;
  let out: string;
  let zip: string;
  let logged: string[] = [];
  // Real services on loopback, so the deployed package really starts with these settings; they
  // still count as secrets, and none may reach the log.
  let storageSecret: string;
  let redisSecret: string;

  before(async () => {
    assert.ok(existsSync(join(REPOSITORY, 'WorkerRole1', 'dist', 'server', 'main.js')), 'run npm run build first');
    out = mkdtempSync(join(tmpdir(), 'chatapp-appservice-'));
    // Offline: the dependencies come from npm's cache, filled by the `npm ci` that set up this clone.
    zip = packageAppService({ root: REPOSITORY, skipBuild: true, offline: true, outDir: out, log: () => {} }).zip;
    [redis, azurite] = await Promise.all([startRedisServer({ password: 'redis-access-key-not-to-be-printed' }), startAzurite()]);
    storageSecret = azurite.connectionString;
    redisSecret = `redis://:redis-access-key-not-to-be-printed@127.0.0.1:${redis.port}`;
    arm = new FakeResourceManager();
    await arm.start();
    kudu = new FakeKudu(() => (arm.stored(`${SITE}/config/appsettings`)?.properties ?? {}) as Record<string, string>);
    await kudu.start();
  });
  after(async () => {
    await kudu?.close();
    await arm?.close();
    await redis?.stop();
    await azurite?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  const argv = (...extra: string[]) => [
    '--target', 'appservice', '--subscription', SUBSCRIPTION, '--resource-group', 'chat-rg', '--name', 'chatapp-test',
    '--location', 'westeurope', '--package', zip, '--storage-connection-string', storageSecret, '--redis-url', redisSecret, ...extra,
  ];
  const environment = (): PublishEnvironment => ({
    env: {},
    log: (line) => logged.push(line),
    credential: async () => fakeCredential,
    arm: { endpoint: arm.url, tlsOptions: { ca: FAKE_ARM_CA }, pollIntervalMs: 5 },
    deployment: { endpoint: kudu.url, ca: FAKE_ARM_CA },
  });
  const lines = (requests: RecordedRequest[]) => requests.map(({ method, path }) => `${method} ${path.replace(GROUP, '')}`);
  const assertNoSecretLogged = () => {
    const output = logged.join('\n');
    for (const secret of [storageSecret, redisSecret, 'redis-access-key-not-to-be-printed', storageSecret.match(/AccountKey=([^;]+)/)![1]!]) {
      assert.ok(!output.includes(secret), 'a secret reached the log');
    }
  };

  it('creates the Linux plan, the site, its configuration and app settings, then deploys the zip, which starts and answers /healthz', async () => {
    logged = [];
    const result = await publish(argv(), environment());
    assert.deepEqual(result, { publicUrl: 'https://chatapp-test.azurewebsites.net/', outcome: 'created' });

    const requests = arm.takeRequests();
    assert.deepEqual(lines(requests), [
      'GET /Microsoft.Web/serverfarms/chatapp-test-plan',
      'PUT /Microsoft.Web/serverfarms/chatapp-test-plan',
      'GET /Microsoft.Web/sites/chatapp-test',
      'PUT /Microsoft.Web/sites/chatapp-test',
      'PUT /Microsoft.Web/sites/chatapp-test/config/web',
      'POST /Microsoft.Web/sites/chatapp-test/config/appsettings/list',
      'PUT /Microsoft.Web/sites/chatapp-test/config/appsettings',
    ]);
    for (const request of requests) {
      assert.equal(request.authorization, 'Bearer fake-token', `${request.method} ${request.path} carries the token`);
      assert.equal(request.apiVersion, WEB_API_VERSION, 'the api-version whose definitions the bodies are checked against');
    }

    // The wire bodies, after the SDK's serializers: what Azure would receive.
    const [planPut, sitePut, configPut, settingsPut] = requests.filter(({ method }) => method === 'PUT').map(({ body }) => body as any);
    assert.deepEqual(checkAgainstDefinition(web, 'AppServicePlan', planPut), []);
    assert.deepEqual(planPut.sku, { name: 'P0v3', tier: 'PremiumV3', capacity: 2 }, 'default SKU, instances from the Cloud cscfg');
    assert.equal(planPut.properties.reserved, true, 'a Linux plan');
    assert.deepEqual(checkAgainstDefinition(web, 'Site', sitePut), []);
    assert.deepEqual(sitePut.properties, {
      serverFarmId: `${GROUP}/Microsoft.Web/serverfarms/chatapp-test-plan`,
      reserved: true,
      httpsOnly: true,
      clientAffinityEnabled: true,
      siteConfig: { linuxFxVersion: 'NODE|24-lts' },
    });
    assert.deepEqual(checkAgainstDefinition(web, 'SiteConfig', configPut.properties), []);
    assert.deepEqual(configPut.properties, {
      linuxFxVersion: 'NODE|24-lts',
      appCommandLine: 'node dist/server/main.js',
      webSocketsEnabled: true,
      alwaysOn: true,
      healthCheckPath: '/healthz',
      minTlsVersion: '1.2',
      scmMinTlsVersion: '1.2',
      ftpsState: 'Disabled',
    });
    assert.deepEqual(checkAgainstDefinition(web, 'StringDictionary', settingsPut), []);
    assert.deepEqual(settingsPut.properties, {
      LOG_LEVEL: 'info',
      STORAGE_CONNECTION_STRING: storageSecret,
      REDIS_URL: redisSecret,
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
    });

    const [deployment] = kudu.deployments;
    assert.ok(deployment, 'the zip reached the deployment endpoint');
    await deployment.done;
    assert.equal(deployment.failure, undefined);
    assert.equal(deployment.authorization, 'Bearer fake-token');
    assert.equal(deployment.contentType, 'application/zip');
    assert.ok(deployment.files.includes('dist/server/main.js') && deployment.files.includes('node_modules/socket.io/package.json'));
    assert.ok(!deployment.files.some((file) => file.startsWith('node/') || file.startsWith('startup/')), 'nothing of the Windows VM ships');
    assert.equal(deployment.healthz?.status, 200, 'the unpacked package started under Linux Node with the app settings and answered /healthz');
    assert.equal(deployment.healthz?.body.status, 'ok');

    assert.ok(logged.includes('chat: https://chatapp-test.azurewebsites.net/'));
    assert.ok(logged.some((line) => /^Kudu is deploying: unpacking and starting/.test(line)), 'progress while the site deploys');
    assertNoSecretLogged();
  });

  it('updates in place when run again, keeping an app setting added in the portal and removing a role setting emptied since', async () => {
    logged = [];
    const settings = arm.stored(`${SITE}/config/appsettings`)!;
    settings.properties.APPLICATIONINSIGHTS_CONNECTION_STRING = 'InstrumentationKey=added-in-the-portal';
    const result = await publish(argv('--setting', 'LOG_LEVEL=', '--setting', 'HISTORY_RETENTION_DAYS=7', '--sku', 's1', '--instances', '3'), environment());
    assert.equal(result.outcome, 'updated');
    const requests = arm.takeRequests();
    assert.deepEqual(lines(requests).filter((line) => line.startsWith('PUT')), [
      'PUT /Microsoft.Web/serverfarms/chatapp-test-plan',
      'PUT /Microsoft.Web/sites/chatapp-test',
      'PUT /Microsoft.Web/sites/chatapp-test/config/web',
      'PUT /Microsoft.Web/sites/chatapp-test/config/appsettings',
    ]);
    const [planPut, , , settingsPut] = requests.filter(({ method }) => method === 'PUT').map(({ body }) => body as any);
    assert.deepEqual(planPut.sku, { name: 'S1', tier: 'Standard', capacity: 3 });
    assert.deepEqual(settingsPut.properties, {
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=added-in-the-portal',
      STORAGE_CONNECTION_STRING: storageSecret,
      HISTORY_RETENTION_DAYS: '7',
      REDIS_URL: redisSecret,
      SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
    });
    assert.ok(logged.includes('web app chatapp-test: updated'));
    assert.ok(logged.some((line) => /kept APPLICATIONINSIGHTS_CONNECTION_STRING/.test(line)));
    assert.equal(kudu.deployments.length, 2);
    await kudu.deployments[1]!.done;
    assert.equal(kudu.deployments[1]!.healthz?.status, 200);
    assertNoSecretLogged();
  });

  it('turns a 409 on the site into "name taken" with the global host name and the fix', async () => {
    logged = [];
    arm.failNext({ method: 'PUT', pathIncludes: '/sites/chatapp-test', status: 409, code: 'Conflict', message: "Website with given name chatapp-test already exists." });
    await assert.rejects(publish(argv(), environment()), (error: Error) => {
      assert.match(error.message, /name taken \(HTTP 409 Conflict\): Website with given name chatapp-test already exists\./);
      assert.match(error.message, /fix: web app names are global: "chatapp-test\.azurewebsites\.net" belongs to another app.*pick another --name/);
      return true;
    });
    arm.takeRequests();
    assertNoSecretLogged();
  });

  it('turns a 403 into "missing permission" naming the role and the Microsoft.Web resources', async () => {
    arm.failNext({
      method: 'GET',
      pathIncludes: '/serverfarms/',
      status: 403,
      code: 'AuthorizationFailed',
      message: "The client 'someone@example.com' does not have authorization to perform action 'Microsoft.Web/serverfarms/read'.",
    });
    await assert.rejects(publish(argv(), environment()), (error: Error) => {
      assert.match(error.message, /missing permission \(HTTP 403 AuthorizationFailed\)/);
      assert.match(error.message, /fix: ask for the "Contributor" role on resource group chat-rg \(it covers Microsoft\.Web\/serverfarms and Microsoft\.Web\/sites\)/);
      return true;
    });
    arm.takeRequests();
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
    await assert.rejects(publish(argv(), { ...environment(), credential: async () => refused }), (error: Error) => {
      assert.match(error.message, /the deployment endpoint 127\.0\.0\.1:\d+ refused the token \(HTTP 401\)/);
      assert.match(error.message, /fix: ask for the "Website Contributor" \(or "Contributor"\) role on the web app/);
      return true;
    });
    assert.equal(kudu.deployments.length, deployments, 'nothing was deployed');
    arm.takeRequests();
  });

  it('refuses two instances without REDIS_URL before sending anything', async () => {
    const args = argv().filter((arg) => arg !== '--redis-url' && arg !== redisSecret);
    await assert.rejects(publish([...args, '--setting', 'REDIS_URL='], environment()), (error: Error) => {
      assert.match(error.message, /2 instances without REDIS_URL: each instance would keep its own rooms/);
      assert.match(error.message, /fix: pass --redis-url .* or deploy one instance with --instances 1/);
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
