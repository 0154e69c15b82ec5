import { closeAll, sleep } from '../lib/clients.js';
import { measureDeliveries } from '../lib/deliveries.js';
import { type JoinedClient, joinStorm } from '../lib/join.js';
import type { BenchOptions } from '../lib/options.js';
import { comparison } from '../lib/report.js';
import { progress } from '../lib/progress.js';
import { type ServerProcess, startBare, startChatapp } from '../lib/servers.js';
import { type ScenarioResult, generatorShare } from './scenario.js';

/** Unmeasured sending first in every round, so that neither server is measured cold. */
const WARM_UP_SECONDS = 2;

const KINDS = ['baseline', 'chatapp'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Scenario 4: server CPU per delivery and delivery latency in one large room, at a fixed delivery
 * rate. Both servers run side by side with their members joined; each run measures them in
 * `--rounds` alternating rounds (baseline first, then chatapp first, and so on), so that each
 * ratio compares two windows seconds apart: on a shared machine the load changes between
 * minutes more than between servers.
 */
export async function fanOut(options: BenchOptions): Promise<ScenarioResult> {
  const count = options.clients ?? 5000;
  const messagesPerSecond = options.rate / count;
  const scenario = 'fanout';
  const cpu = comparison(scenario, 'server CPU per delivery (µs)', 2, '≤ 1.1×');
  const p50 = comparison(scenario, 'delivery latency p50 (ms)', 1);
  const p99 = comparison(scenario, 'delivery latency p99 (ms)', 1, '≤ 1.3×');
  const loopP99 = comparison(scenario, 'server event loop delay p99 (ms)', 1);
  const notes = [
    `fanout: ${count} members in one room, ${messagesPerSecond.toFixed(2)} messages/s (${options.rate} deliveries/s), ${options.runs} runs of ${options.rounds} rounds each of ${options.seconds} s after ${WARM_UP_SECONDS} s of warm-up, the two servers alternating; baseline bare Socket.IO vs chatapp single server (npm run serve settings)`,
  ];
  for (let run = 1; run <= options.runs; run += 1) {
    progress(`fanout run ${run}: starting both servers, ${count} clients joining each`);
    const servers: Partial<Record<Kind, ServerProcess>> = {};
    const members: Partial<Record<Kind, JoinedClient[]>> = {};
    try {
      for (const kind of KINDS) {
        const server = kind === 'baseline' ? await startBare() : await startChatapp();
        servers[kind] = server;
        const storm = await joinStorm({ url: server.url, count, concurrency: options.concurrency, timeoutMs: options.timeout * 1000, spread: true });
        members[kind] = storm.clients;
        if (storm.clients.length < count) throw new Error(`${kind}: only ${storm.clients.length} of ${count} joined within ${options.timeout} s (${storm.failures || 'timeout'})`);
      }
      await sleep(1500);
      for (let round = 1; round <= options.rounds; round += 1) {
        const order = round % 2 === 1 ? KINDS : ([...KINDS].reverse() as Kind[]);
        for (const kind of order) {
          const server = servers[kind]!;
          progress(`fanout run ${run} round ${round}: ${kind}`);
          await server.loopDelay();
          const m = await measureDeliveries(members[kind]!, [server.pid], messagesPerSecond, options.seconds, WARM_UP_SECONDS);
          const loop = await server.loopDelay();
          cpu[kind].push(m.cpuMicrosPerDelivery);
          p50[kind].push(m.p50Ms);
          p99[kind].push(m.p99Ms);
          loopP99[kind].push(loop.p99Ms);
          notes.push(
            `run ${run} round ${round} ${kind}: p99 ${m.p99Ms.toFixed(1)} ms beside event loop delay p99 ${loop.p99Ms.toFixed(1)} ms (p50 ${loop.p50Ms.toFixed(1)}, max ${loop.maxMs.toFixed(0)}), GC ${loop.gc.pauses} pauses ${loop.gc.totalMs.toFixed(0)} ms (longest ${loop.gc.maxMs.toFixed(1)} ms; major ${loop.gc.majorPauses}, ${loop.gc.majorMs.toFixed(0)} ms) (warm-up included); ${m.deliveries} of ${m.expected} deliveries${m.refused ? `, ${m.refused} sends refused` : ''}; server CPU ${m.serverCpuShare.toFixed(0)}%, generator ${generatorShare(m.generatorCpuMs, m.seconds)} of a core`,
          );
        }
      }
    } finally {
      for (const kind of KINDS) {
        closeAll((members[kind] ?? []).map((client) => client.socket));
        await servers[kind]?.stop();
      }
    }
  }
  return { comparisons: [cpu, p50, p99, loopP99], notes };
}
