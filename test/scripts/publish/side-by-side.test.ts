import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { emulatedRole } from '../../../scripts/emulator/emulated-role.js';
import { nonEphemeralPort } from '../../helpers/non-ephemeral-port.js';
import { instanceId, roleEnvironment } from '../../../scripts/emulator/role-environment.js';
import { readValidServiceModel, singleRole } from '../../../scripts/package/read-service-model.js';
import { roleSettings } from '../../../scripts/publish/app-service/deployment-request.js';
import { fillConfiguration } from '../../../scripts/publish/fill-configuration.js';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite.js';
import { type RunningRedisServer, startRedisServer } from '../../helpers/redis-server.js';
import { ReliableChatter } from '../../helpers/reliable-chatter.js';

/**
 * The migration of docs/deploy.md: the App Service deployment gets the same STORAGE_CONNECTION_STRING
 * and REDIS_URL as the running cloud service, and both serve at once while DNS moves. Here one
 * instance of each shape shares one real redis-server and one real Azurite:
 *  - App Service-shaped: `node dist/server/main.js` with the role settings publish passes to the
 *    template (its roleSettings parameter) and the shared STORAGE_CONNECTION_STRING and REDIS_URL,
 *    plus PORT, as App Service's Node image gives it; no cscfg, no role environment. (The template's
 *    own, keyless settings are the role's to test against real services: branch role-entra.)
 *  - Cloud Service-shaped: the csdef entry point's script with the environment the emulator builds
 *    from the csdef's Runtime and the Local cscfg (instance id, endpoint port, every setting).
 * (npm test builds WorkerRole1/dist first.)
 */
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

let redis: RunningRedisServer;
let azurite: RunningAzurite;
const servers: ChildProcess[] = [];
const chatters: ReliableChatter[] = [];

before(async () => {
  [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
});
after(async () => {
  for (const chatter of chatters) chatter.close();
  await Promise.all(servers.map(stop));
  await redis?.stop();
  await azurite?.dispose();
});

test('an App Service instance and a Cloud Service instance on one Redis and one storage account: messages cross both ways and both show the same history', async () => {
  const { model, cloud } = readValidServiceModel(REPOSITORY, false);
  const role = singleRole(model);
  const shared = { STORAGE_CONNECTION_STRING: azurite.connectionString, REDIS_URL: redis.url };

  const configuration = fillConfiguration(readFileSync(join(REPOSITORY, cloud.file), 'utf8'), role.name, shared);
  const appServicePort = await nonEphemeralPort();
  const appService = await start('app-service', join(REPOSITORY, role.name, 'dist', 'server', 'main.js'), [], join(REPOSITORY, role.name), {
    ...roleSettings(configuration),
    ...shared,
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
    PORT: String(appServicePort),
  });

  const emulated = emulatedRole(model);
  for (const [name, value] of Object.entries(shared)) emulated.settings.set(name, value);
  const cloudPort = await nonEphemeralPort();
  const cloudService = await start('cloud-service', emulated.entryScript, emulated.entryArgs, emulated.roleFolder, roleEnvironment(emulated, instanceId(role.name, 0), cloudPort));

  const identities = await Promise.all([appServicePort, cloudPort].map(async (port) => ((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { instance: string }).instance));
  assert.notEqual(identities[0], 'WorkerRole1_IN_0', 'the App Service instance has no role environment');
  assert.equal(identities[1], 'WorkerRole1_IN_0', 'the Cloud Service instance got its id from the role environment');
  assert.ok(appService.pid && cloudService.pid);

  const ann = new ReliableChatter('ann', [`http://127.0.0.1:${appServicePort}`], 'lobby');
  const bob = new ReliableChatter('bob', [`http://127.0.0.1:${cloudPort}`], 'lobby');
  chatters.push(ann, bob);
  await Promise.all([ann.connect(), bob.connect()]);

  await ann.send('sent on App Service');
  await waitFor(() => [...bob.seen.values()].some((message) => message.text === 'sent on App Service'), 'bob (Cloud Service) got the message sent on App Service');
  await bob.send('sent on the cloud service');
  await waitFor(() => [...ann.seen.values()].some((message) => message.text === 'sent on the cloud service'), 'ann (App Service) got the message sent on the cloud service');

  const [annHistory, bobHistory] = await Promise.all([ann.readWholeHistory(), bob.readWholeHistory()]);
  assert.deepEqual(annHistory.map(({ text }) => text), ['sent on App Service', 'sent on the cloud service']);
  assert.deepEqual(annHistory, bobHistory, 'both instances serve the same history, ids and times included');
});

async function start(name: string, script: string, args: string[], cwd: string, env: Record<string, string>): Promise<ChildProcess> {
  // Only what the platform gives: nothing leaks in from this shell.
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s:\n${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/chat listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
