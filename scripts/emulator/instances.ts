import cluster, { type Worker } from 'node:cluster';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { setupPrimary as setupClusterAdapter } from '@socket.io/cluster-adapter';
import type { EmulatedRole } from './emulated-role.js';
import { profilingFlags } from './profiling-flags.js';
import { instanceId, roleEnvironment, roleVariableNames } from './role-environment.js';

export interface InstanceEvents {
  /** The process runs; its probe decides when it takes traffic. */
  started(id: string, pid: number): void;
  /** The process is gone: take it out of rotation now rather than at the next probe. */
  exited(id: string): void;
  log(line: string): void;
}

interface Instance {
  id: string;
  port: number;
  worker: Worker | undefined;
  startedAt: number;
  /** Exits in a row that came soon after a start; grows the restart delay. */
  quickExits: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/** Azure recycles a role whose program exits; a crash loop backs off instead of spinning. */
const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
const QUICK_EXIT_MS = 10_000;
/** Azure gives a stopping role about 10 seconds, then ends it. */
export const STOP_TIMEOUT_MS = 10_000;

/**
 * The role's instances as Node cluster workers of this process, so that
 * @socket.io/cluster-adapter joins them without any server and the load balancer can hand them
 * connections: one worker per instance, each with the environment Azure would give it and its own
 * port, started again when it exits.
 */
export class RoleInstances {
  private readonly instances: Instance[];
  private stopping = false;

  constructor(
    private readonly role: EmulatedRole,
    ports: readonly number[],
    private readonly events: InstanceEvents,
  ) {
    this.instances = ports.map((port, index) => ({
      id: instanceId(role.name, index),
      port,
      worker: undefined,
      startedAt: 0,
      quickExits: 0,
      restartTimer: undefined,
    }));
  }

  get all(): readonly { id: string; port: number; worker: Worker | undefined }[] {
    return this.instances;
  }

  /**
   * `sessionsOverIpc`: the instances share their sessions through the registry this process hosts
   * (no REDIS_URL), whose rooms are Sets and need the channel's `advanced` serialization. With Redis
   * the channel only hands connections over, and JSON does that at about half the CPU per message.
   */
  start(sessionsOverIpc: boolean): void {
    // What the developer's shell happens to export must not reach the role: on Azure it gets
    // exactly what the csdef maps. cluster.fork merges process.env, so remove them here.
    for (const name of roleVariableNames(this.role)) delete process.env[name];
    setupClusterAdapter();
    // Each worker accepts on its own port, as each Azure instance does. The default round-robin
    // policy would have this process accept every connection and pass it over IPC: a hop for
    // nothing, since each port has one worker.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({
      exec: this.role.entryScript,
      args: this.role.entryArgs,
      // The workers run compiled JavaScript; this process's loader flags (tsx) are not theirs,
      // its profiler flags are.
      execArgv: profilingFlags(process.execArgv),
      // The approot: the role folder the entry point's paths are relative to.
      cwd: this.role.roleFolder,
      silent: true,
      serialization: sessionsOverIpc ? 'advanced' : 'json',
    });
    for (const instance of this.instances) this.fork(instance);
  }

  /** SIGTERM every instance (they drain), then SIGKILL what is left after the timeout. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    this.stopping = true;
    const running = this.instances.flatMap((instance) => {
      clearTimeout(instance.restartTimer);
      return instance.worker ? [instance.worker] : [];
    });
    const exited = running.map((worker) => new Promise<void>((resolve) => {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) resolve();
      else worker.process.once('exit', () => resolve());
    }));
    for (const worker of running) worker.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const worker of running) {
        if (worker.process.exitCode === null && worker.process.signalCode === null) {
          this.events.log(`emulator: worker pid ${worker.process.pid} did not stop within ${timeoutMs} ms; killing it`);
          worker.process.kill('SIGKILL');
        }
      }
    }, timeoutMs);
    await Promise.all(exited);
    clearTimeout(timer);
  }

  private fork(instance: Instance): void {
    const worker = cluster.fork(roleEnvironment(this.role, instance.id, instance.port));
    instance.worker = worker;
    instance.startedAt = Date.now();
    prefixLines(worker.process.stdout, process.stdout, instance.id);
    prefixLines(worker.process.stderr, process.stderr, instance.id);
    this.events.started(instance.id, worker.process.pid ?? 0);
    worker.process.once('exit', (code, signal) => this.onExit(instance, worker, code, signal));
  }

  private onExit(instance: Instance, worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (instance.worker !== worker) return;
    instance.worker = undefined;
    this.events.exited(instance.id);
    if (this.stopping) return;
    instance.quickExits = Date.now() - instance.startedAt < QUICK_EXIT_MS ? instance.quickExits + 1 : 1;
    const delay = Math.min(FIRST_RESTART_DELAY_MS * 2 ** (instance.quickExits - 1), MAX_RESTART_DELAY_MS);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.events.log(`emulator: ${instance.id} exited (${how}); restarting it in ${delay} ms, as Azure recycles a role`);
    instance.restartTimer = setTimeout(() => {
      if (!this.stopping) this.fork(instance);
    }, delay);
  }
}

function prefixLines(from: Readable | null | undefined, to: Writable, id: string): void {
  if (!from) return;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`[${id}] ${line}\n`));
}
