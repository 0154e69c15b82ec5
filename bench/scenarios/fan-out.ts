import type { ChatMessage } from '../../WorkerRole1/src/shared/protocol.js';
import { Deadline, closeAll, request, sleep } from '../lib/clients.js';
import { type JoinedClient, ROOM, joinStorm } from '../lib/join.js';
import type { BenchOptions } from '../lib/options.js';
import { ownCpuMs, sampleProcess } from '../lib/process-stats.js';
import type { Comparison } from '../lib/report.js';
import { progress } from '../lib/progress.js';
import { type ServerProcess, startBare, startChatapp } from '../lib/servers.js';
import { type ScenarioResult, generatorShare } from './scenario.js';

/** Unmeasured sending first, so neither server is measured while its JIT warms up. */
const WARM_UP_SECONDS = 2;
/** Each sender stays well under chatapp's default per-socket limit (5 messages/s). */
const MESSAGES_PER_SENDER_PER_SECOND = 2;
const DRAIN_TIMEOUT_MS = 15_000;

interface Measurement {
  cpuMicrosPerDelivery: number;
  deliveries: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuShare: number;
  generatorCpuMs: number;
  seconds: number;
  refused: number;
}

/**
 * Sends messages into the room at `messagesPerSecond` from one timer, rotating over a few senders,
 * and counts every delivery at every member. Messages numbered below `measuredFrom` warm up.
 */
async function send(clients: JoinedClient[], server: ServerProcess, messagesPerSecond: number, seconds: number): Promise<Measurement> {
  const warmUp = Math.ceil(messagesPerSecond * WARM_UP_SECONDS);
  const measured = Math.ceil(messagesPerSecond * seconds);
  const total = warmUp + measured;
  const senders = clients.slice(0, Math.max(1, Math.ceil(messagesPerSecond / MESSAGES_PER_SENDER_PER_SECOND)));
  const sentAt = new Float64Array(total);
  const latencies = new Float64Array(measured * clients.length);
  let deliveries = 0;
  let refused = 0;
  let allDelivered: () => void = () => {};
  const delivered = new Promise<void>((resolve) => (allDelivered = resolve));
  const onMessage = (message: ChatMessage) => {
    const n = Number(message.clientId.slice(1));
    if (n < warmUp) return;
    latencies[deliveries] = performance.now() - sentAt[n]!;
    deliveries += 1;
    if (deliveries === latencies.length) allDelivered();
  };
  for (const client of clients) client.socket.on('message', onMessage);

  let cpuStart = sampleProcess(server.pid).cpuMs;
  let generatorStart = ownCpuMs();
  let measuredStart = performance.now();
  const deadline = new Deadline((WARM_UP_SECONDS + seconds) * 1000 + DRAIN_TIMEOUT_MS * 2);
  const acks: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let n = 0;
    const timer = setInterval(() => {
      if (n === warmUp) {
        cpuStart = sampleProcess(server.pid).cpuMs;
        generatorStart = ownCpuMs();
        measuredStart = performance.now();
      }
      sentAt[n] = performance.now();
      const sender = senders[n % senders.length]!;
      const clientId = `f${n}`;
      acks.push(
        request(sender.socket, 'message:send', { room: ROOM, text: `fan-out ${n}`, clientId }, deadline).then(
          (ack) => void (ack.ok || (refused += 1)),
          () => void (refused += 1),
        ),
      );
      n += 1;
      if (n === total) {
        clearInterval(timer);
        resolve();
      }
    }, 1000 / messagesPerSecond);
  });
  await Promise.race([delivered, sleep(DRAIN_TIMEOUT_MS)]);
  const cpuMs = sampleProcess(server.pid).cpuMs - cpuStart;
  const generatorCpuMs = ownCpuMs() - generatorStart;
  const elapsed = (performance.now() - measuredStart) / 1000;
  await Promise.all(acks);
  for (const client of clients) client.socket.off('message', onMessage);
  const sorted = latencies.subarray(0, deliveries).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return {
    cpuMicrosPerDelivery: (cpuMs * 1000) / Math.max(deliveries, 1),
    deliveries,
    expected: latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    serverCpuShare: cpuMs / 10 / elapsed,
    generatorCpuMs,
    seconds: elapsed,
    refused,
  };
}

/** Scenario 4: server CPU per delivery in one large room, at a fixed delivery rate. */
export async function fanOut(options: BenchOptions): Promise<ScenarioResult> {
  const count = options.clients ?? 5000;
  const messagesPerSecond = options.rate / count;
  const scenario = 'fanout';
  const cpu: Comparison = { scenario, metric: 'server CPU per delivery (µs)', baseline: [], chatapp: [], digits: 2, target: '≤ 1.1×' };
  const p50: Comparison = { scenario, metric: 'delivery latency p50 (ms)', baseline: [], chatapp: [], digits: 1, target: '-' };
  const p99: Comparison = { scenario, metric: 'delivery latency p99 (ms)', baseline: [], chatapp: [], digits: 1, target: '≤ 1.3×' };
  const notes = [
    `fanout: ${count} members in one room, ${messagesPerSecond.toFixed(2)} messages/s (${options.rate} deliveries/s) for ${options.seconds} s after ${WARM_UP_SECONDS} s of warm-up; baseline bare Socket.IO vs chatapp single server (npm run serve settings)`,
  ];
  for (let run = 1; run <= options.runs; run += 1) {
    for (const kind of ['baseline', 'chatapp'] as const) {
      progress(`fanout run ${run}: ${kind}, ${count} clients joining, then sending`);
      const server = kind === 'baseline' ? await startBare() : await startChatapp();
      const storm = await joinStorm({ url: server.url, count, concurrency: options.concurrency, timeoutMs: options.timeout * 1000, spread: true });
      try {
        if (storm.clients.length < count) throw new Error(`${kind}: only ${storm.clients.length} of ${count} joined within ${options.timeout} s (${storm.failures || 'timeout'})`);
        await sleep(1500);
        await server.loopDelay();
        const m = await send(storm.clients, server, messagesPerSecond, options.seconds);
        const loop = await server.loopDelay();
        cpu[kind].push(m.cpuMicrosPerDelivery);
        p50[kind].push(m.p50Ms);
        p99[kind].push(m.p99Ms);
        notes.push(
          `run ${run} ${kind}: ${m.deliveries} of ${m.expected} deliveries${m.refused ? `, ${m.refused} sends refused` : ''}; server CPU ${m.serverCpuShare.toFixed(0)}% and generator CPU ${generatorShare(m.generatorCpuMs, m.seconds)} of a core over the ${m.seconds.toFixed(1)} s from the first measured send to the last delivery; server event loop delay p50 ${loop.p50Ms.toFixed(1)} ms, p99 ${loop.p99Ms.toFixed(1)} ms, max ${loop.maxMs.toFixed(0)} ms, GC ${loop.gc.pauses} pauses ${loop.gc.totalMs.toFixed(0)} ms (longest ${loop.gc.maxMs.toFixed(1)} ms; major ${loop.gc.majorPauses}, ${loop.gc.majorMs.toFixed(0)} ms) (warm-up included); joining took ${storm.seconds.toFixed(1)} s`,
        );
      } finally {
        closeAll(storm.clients.map((client) => client.socket));
        await server.stop();
      }
    }
  }
  return { comparisons: [cpu, p50, p99], notes };
}
