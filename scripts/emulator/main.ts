/**
 * `npm run emulator`: runs the service locally the way Azure would. First makes sure nothing stands
 * in the way (an emulator already running from this folder, a taken port), then builds (--build,
 * which package.json passes; skipped when nothing the build reads changed since the last one),
 * validates the service model, starts Azurite's table service (on a thread of its own, so that its
 * saves never hold up the balancer), one Node cluster worker per role instance (the Local cscfg's
 * count, or --instances), a probe per instance, and a TCP load balancer on the endpoint port; with
 * --launch it opens the chat in the browser once every instance is healthy. Ctrl-C or SIGTERM
 * drains the instances and stops everything it started.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../WorkerRole1/src/server/config/load-config.js';
import { type RegistryHost, hostSessionRegistry } from '../../WorkerRole1/src/server/scale-out/cluster-registry-host.js';
import { MemorySessionRegistry } from '../../WorkerRole1/src/server/sessions/memory-session-registry.js';
import { openInBrowser } from '../launch/open-in-browser.js';
import { problemLines } from '../service-model/report.js';
import { CHATAPP_ROLE_SETTINGS } from '../service-model/role-settings.js';
import { validateServiceModel } from '../service-model/validate-service-model.js';
import { startStorage, type Storage } from './azurite.js';
import { pointSettingsAtStorage } from './development-storage.js';
import { roleEnvironment } from './role-environment.js';
import { emulatedRole } from './emulated-role.js';
import { listenOnEndpoint } from './endpoint-port.js';
import { freePort } from './free-port.js';
import { HealthMonitor } from './health-monitor.js';
import { RoleInstances } from './instances.js';
import { LoadBalancer } from './load-balancer.js';
import { type EmulatorOptions, OptionsError, USAGE, parseEmulatorOptions } from './options.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { reasonsNotToStart } from './preflight.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const log = (line: string) => process.stdout.write(`${line}\n`);

function fail(message: string, exitCode = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

let options: EmulatorOptions;
try {
  options = parseEmulatorOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  fail(`emulator: ${error.message}\n${USAGE}`, 2);
}

const pidFile = resolve(REPOSITORY_ROOT, options.pidFile);
const reasons = await reasonsNotToStart(options, pidFile, REPOSITORY_ROOT);
if (reasons.length > 0) fail(reasons.join('\n'));
// From here on a second `npm start` finds this one, even while it builds.
writePidFile(pidFile);
process.on('exit', () => removePidFile(pidFile));

let buildSeconds = 0;
if (options.build) {
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(REPOSITORY_ROOT, 'scripts', 'build.ts'), '--if-changed'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
  if (build.status !== 0) fail('emulator: npm run build failed; nothing was started');
  buildSeconds = process.uptime();
}

const { problems, model } = validateServiceModel({ root: REPOSITORY_ROOT, roleSettings: CHATAPP_ROLE_SETTINGS, checkBuild: true });
if (problems.length > 0 || !model) {
  for (const line of problemLines(problems)) process.stderr.write(`${line}\n`);
  fail(`emulator: the service model has ${problems.length} problem(s); fix them and start again`);
}

const role = emulatedRole(model);
const undeclared = [...options.settings.keys()].filter((name) => !role.settings.has(name));
if (undeclared.length > 0) {
  fail(`emulator: --setting ${undeclared.join(', ')}: not a setting of ${role.name} (it has ${[...role.settings.keys()].join(', ')})`, 2);
}
// As a cscfg change would, and nothing else: the developer's own environment never reaches the role.
for (const [name, value] of options.settings) role.settings.set(name, value);
role.settings = pointSettingsAtStorage(role.settings, options.storagePort);
const instanceCount = options.instances ?? role.instanceCount;
const probe = role.probe && {
  ...role.probe,
  intervalMs: options.probeIntervalMs ?? role.probe.intervalMs,
  timeoutMs: options.probeTimeoutMs ?? role.probe.timeoutMs,
};

let storage: Storage | undefined;
let balancer: LoadBalancer | undefined;
let instances: RoleInstances | undefined;
let registry: RegistryHost | undefined;
let announced = false;

const health = new HealthMonitor(probe, log, () => {
  if (announced || !instances || health.size < instanceCount) return;
  announced = true;
  // From the start of this process, loading included, the build not.
  const seconds = (process.uptime() - buildSeconds).toFixed(1);
  log(`emulator: ${instanceCount} instance(s) of ${role.name} healthy after ${seconds} s`);
  log(`emulator: chat at ${chatUrl} (Ctrl-C stops)`);
  if (options.launch) openInBrowser(chatUrl, (line) => log(`emulator: ${line}`));
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`emulator: ${signal}: draining and stopping`);
  const closed = balancer?.stopAccepting();
  health.stop();
  await instances?.stop();
  await closed;
  await registry?.close();
  await storage?.close();
  log('emulator: stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

let endpointPort = 0;
let chatUrl = '';
try {
  storage = await startStorage({
    location: resolve(options.storageDir ?? join(REPOSITORY_ROOT, '.emulator', 'azurite')),
    port: options.storagePort,
    fresh: options.fresh,
    // As on Azure when storage is unreachable: the instances go on, reporting history as unavailable.
    crashed: (reason) => process.stderr.write(`emulator: Azurite's table service stopped: ${reason}\nemulator: the chat's history is unavailable until the emulator restarts (Ctrl-C, then npm start)\n`),
  });
  log(`emulator: Azurite table service on http://127.0.0.1:${options.storagePort}${options.fresh ? ' (fresh)' : ''}`);

  balancer = new LoadBalancer({
    distribution: role.endpoint.distribution,
    inRotation: () => (instances?.all ?? []).filter((instance) => health.has(instance.id)),
    log,
  });
  endpointPort = await listenOnEndpoint(balancer, role.endpoint.port, options.port);
  chatUrl = `http://localhost${endpointPort === 80 ? '' : `:${endpointPort}`}/`;
  writePidFile(pidFile, chatUrl);
  log(`emulator: load balancer for ${role.endpoint.name} on port ${endpointPort} (csdef port ${role.endpoint.port}, distribution ${role.endpoint.distribution})`);

  // Without REDIS_URL the instances share their sessions here, as they would share them in Redis:
  // with leases, so that a crashed instance's sessions lapse. Read as the instances read them.
  const shared = loadConfig(roleEnvironment(role, 'primary', role.endpoint.port));
  const sessionsOverIpc = shared.redisUrl === undefined;
  if (sessionsOverIpc) {
    registry = hostSessionRegistry(
      new MemorySessionRegistry({ leaseMs: shared.sessionLeaseMs, presenceIndividualMax: shared.presenceIndividualMax }),
    );
  }
  const ports = await Promise.all(Array.from({ length: instanceCount }, () => freePort()));
  const running = new RoleInstances(role, ports, {
    started: (id, pid) => {
      const port = running.all.find((instance) => instance.id === id)?.port ?? 0;
      log(`emulator: ${id} started (pid ${pid}, port ${port})`);
      health.started(id, port);
    },
    exited: (id) => health.exited(id),
    log,
  });
  instances = running;
  running.start(sessionsOverIpc);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  stopping = true;
  health.stop();
  await instances?.stop();
  await balancer?.stopAccepting();
  await storage?.close();
  process.exit(1);
}
