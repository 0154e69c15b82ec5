import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../WorkerRole1/src/server/config/load-config.js';
import { startTelemetry } from '../WorkerRole1/src/server/telemetry/start-telemetry.js';

/**
 * The chat server for the telemetry benchmark, alone in its process so its CPU time can be read:
 * telemetry starts from the environment the benchmark gives it (off, Application Insights or
 * OTLP), before the server's modules load, as main.ts does.
 */
const telemetry = await startTelemetry(loadConfig({ ...process.env, LOG_LEVEL: 'silent', INSTANCE_ID: 'bench' }));
const { startChatServer } = await import('../test/helpers/chat-server.js');
const server = await startChatServer({ eventBurst: 1_000_000, eventRatePerSecond: 1000, messageBurst: 1_000_000, messageRatePerSecond: 1000 });

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
// BENCH_CPU_PROFILE=FILE: a CPU profile of the measured window only (start-up left out), flush included.
const profileFile = process.env.BENCH_CPU_PROFILE;
const profiler = new Session();
profiler.connect();
process.on('message', async (request: string) => {
  if (request === 'cpu') {
    if (profileFile) {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    process.send?.({ cpuMicros: cpuMicros() });
  }
  // The export work of the measured window counts too: flush it before reading the clock.
  if (request === 'flush') {
    await telemetry.shutdown();
    const cpu = cpuMicros();
    if (profileFile) writeFileSync(profileFile, JSON.stringify((await profiler.post('Profiler.stop')).profile));
    process.send?.({ cpuMicros: cpu });
  }
});
process.send?.({ port: server.port, destinations: telemetry.destinations });
