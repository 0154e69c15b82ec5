/**
 * `npm run emulator:stop [-- --pid-file PATH]`: asks the running emulator to drain and stop (as
 * Ctrl-C in its terminal would) and waits until it has.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_PID_FILE, readPidFile } from './pid-file.js';

const STOP_TIMEOUT_MS = 20_000;

const { values } = parseArgs({ options: { 'pid-file': { type: 'string' } }, strict: true });
const pidFile = values['pid-file'] ?? DEFAULT_PID_FILE;
const pid = readPidFile(pidFile);

function isRunning(candidate: number): boolean {
  try {
    process.kill(candidate, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pid file left by an emulator that crashed may name a process that reused the pid since. Where
 * the command line can be read (Linux), only a process running the emulator is stopped.
 */
function isEmulator(candidate: number): boolean {
  try {
    return readFileSync(`/proc/${candidate}/cmdline`, 'utf8').includes('emulator');
  } catch {
    return process.platform !== 'linux';
  }
}

if (pid === undefined || !isRunning(pid) || !isEmulator(pid)) {
  console.log(`emulator: none running (no live emulator process in ${pidFile})`);
  process.exit(0);
}

process.kill(pid, 'SIGTERM');
const deadline = Date.now() + STOP_TIMEOUT_MS;
while (isRunning(pid)) {
  if (Date.now() > deadline) {
    console.error(`emulator: process ${pid} is still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(`emulator: stopped (pid ${pid})`);
