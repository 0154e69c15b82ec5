/**
 * `npm run emulator:stop [-- --pid-file PATH]`: asks the running emulator to drain and stop (as
 * Ctrl-C in its terminal would) and waits until it has.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PID_FILE, isRunning, runningEmulator } from './pid-file.js';

const STOP_TIMEOUT_MS = 20_000;

const { values } = parseArgs({ options: { 'pid-file': { type: 'string' } }, strict: true });
const pidFile = values['pid-file'] ?? DEFAULT_PID_FILE;
const pid = runningEmulator(pidFile)?.pid;

if (pid === undefined) {
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
