import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where a running emulator leaves its process id (first line) and, once its load balancer listens,
 * the chat's URL (second line): `npm run emulator:stop` (and Stop-Emulator.ps1) stops it from
 * another terminal, as Stop-AzureEmulator did, and a second `npm start` names it instead of
 * colliding with it.
 */
export const DEFAULT_PID_FILE = '.emulator/emulator.pid';

export interface RecordedEmulator {
  pid: number;
  /** Absent while the emulator is still starting. */
  url: string | undefined;
}

export function writePidFile(path: string, url?: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${process.pid}\n${url === undefined ? '' : `${url}\n`}`);
}

/** Removes the file only if it still names this process: a newer emulator may have replaced it. */
export function removePidFile(path: string): void {
  if (readPidFile(path) === process.pid) rmSync(path, { force: true });
}

export function readPidFile(path: string): number | undefined {
  return readRecord(path)?.pid;
}

function readRecord(path: string): RecordedEmulator | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split(/\r?\n/).map((line) => line.trim());
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, url: lines[1] || undefined };
}

/** The emulator the pid file names, if that process is alive and is an emulator (not this one). */
export function runningEmulator(path: string): RecordedEmulator | undefined {
  const recorded = readRecord(path);
  if (!recorded || recorded.pid === process.pid || !isRunning(recorded.pid) || !isEmulator(recorded.pid)) return undefined;
  return recorded;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pid file left by an emulator that crashed may name a process that reused the pid since. Where
 * the command line can be read (Linux), only a process running the emulator counts.
 */
function isEmulator(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('emulator');
  } catch {
    return process.platform !== 'linux';
  }
}
