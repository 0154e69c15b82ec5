import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where a running emulator leaves its process id, so that `npm run emulator:stop` (and
 * Stop-Emulator.ps1) can stop it from another terminal, as Stop-AzureEmulator did.
 */
export const DEFAULT_PID_FILE = '.emulator/emulator.pid';

export function writePidFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${process.pid}\n`);
}

/** Removes the file only if it still names this process: a newer emulator may have replaced it. */
export function removePidFile(path: string): void {
  if (readPidFile(path) === process.pid) rmSync(path, { force: true });
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
