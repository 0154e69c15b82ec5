import net from 'node:net';
import { isAbsolute, relative } from 'node:path';
import { settingValueProblems } from '../../WorkerRole1/src/server/config/setting-problems.js';
import type { EmulatorOptions } from './options.js';
import { DEFAULT_PID_FILE, runningEmulator } from './pid-file.js';

/**
 * What would make this start fail, found before anything is built or started: an emulator already
 * running from this folder (a second `npm start` would otherwise rebuild the files it serves and
 * then collide with its ports), a port the command line names that another program holds, a
 * --setting value the role would refuse. Each is one line for the person at the terminal.
 */
export async function reasonsNotToStart(options: EmulatorOptions, pidFile: string, root: string): Promise<string[]> {
  const running = runningEmulator(pidFile);
  if (running) {
    const where = running.url ? `chat at ${running.url}` : 'still starting';
    const inside = relative(root, pidFile);
    const shown = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : pidFile;
    const stop = options.pidFile === DEFAULT_PID_FILE ? 'npm run emulator:stop' : `npm run emulator:stop -- --pid-file ${shown}`;
    return [`emulator: an emulator is already running from this folder (pid ${running.pid}, ${where}); use it, or stop it with ${stop} (or Ctrl-C in its terminal)`];
  }
  const reasons: string[] = [];
  const storage = await portUnusable(options.storagePort, '127.0.0.1');
  if (storage) reasons.push(storagePortMessage(options.storagePort, storage));
  if (options.port !== undefined) {
    const balancer = await portUnusable(options.port);
    if (balancer) reasons.push(balancerPortMessage(options.port, balancer));
  }
  for (const [name, value] of options.settings) {
    for (const problem of settingValueProblems(name, value)) reasons.push(`emulator: --setting ${problem}`);
  }
  return reasons;
}

export function storagePortMessage(port: number, why: string): string {
  return `emulator: port ${port}, Azurite's table service (what UseDevelopmentStorage=true points at), is ${why}; stop that program, or give the emulator's storage another port with --storage-port P (Start-Emulator.ps1 -StoragePort P)`;
}

export function balancerPortMessage(port: number, why: string): string {
  return `emulator: port ${port} (--port), the chat's load balancer, is ${why}; pass another --port (Start-Emulator.ps1 -Port), or none to take the csdef's port or the first free one from 8080`;
}

/** Why nothing could listen on `port` now ('in use by another program', ...), or undefined when it could. */
export function portUnusable(port: number, host?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(unusableBecause(error)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export function unusableBecause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return 'in use by another program';
  if (code === 'EACCES') return 'not allowed to this user (ports below 1024 need privileges)';
  return `unusable (${(error as Error).message})`;
}
