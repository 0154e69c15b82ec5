import type { ChatMessage } from '../../WorkerRole1/src/shared/protocol.js';
import { Deadline, request, sleep } from './clients.js';
import { type JoinedClient, ROOM } from './join.js';
import { ownCpuMs, sampleProcesses } from './process-stats.js';

/** What one measurement found; CPU is that of the measured processes together. */
export type DeliveryMeasurement = Awaited<ReturnType<typeof measureDeliveries>>;

/** Each sender stays well under chatapp's default per-socket limit (5 messages/s). */
const MESSAGES_PER_SENDER_PER_SECOND = 2;
const DRAIN_TIMEOUT_MS = 15_000;
/** Numbers the measurements, so that each sends clientIds of its own. */
let round = 0;

/**
 * Sends messages into the room at `messagesPerSecond` from one timer, rotating over a few senders,
 * and counts every delivery at every member; the first `warmUpSeconds` of sending are not
 * measured. CPU is that of the processes `pids` (a server's instances, its Redis) over the
 * measured window, divided by the deliveries counted.
 */
export async function measureDeliveries(
  clients: JoinedClient[],
  pids: readonly number[],
  messagesPerSecond: number,
  seconds: number,
  warmUpSeconds: number,
) {
  const warmUp = Math.ceil(messagesPerSecond * warmUpSeconds);
  const measured = Math.ceil(messagesPerSecond * seconds);
  const total = warmUp + measured;
  const senders = clients.slice(0, Math.max(1, Math.ceil(messagesPerSecond / MESSAGES_PER_SENDER_PER_SECOND)));
  // A clientId is never reused by a sender: rounds on the same server must not be resends.
  const prefix = `r${(round += 1)}n`;
  const sentAt = new Float64Array(total);
  const latencies = new Float64Array(measured * clients.length);
  let deliveries = 0;
  let refused = 0;
  let allDelivered: () => void = () => {};
  const delivered = new Promise<void>((resolve) => (allDelivered = resolve));
  const onMessage = (message: ChatMessage) => {
    if (!message.clientId.startsWith(prefix)) return;
    const n = Number(message.clientId.slice(prefix.length));
    if (n < warmUp) return;
    latencies[deliveries] = performance.now() - sentAt[n]!;
    deliveries += 1;
    if (deliveries === latencies.length) allDelivered();
  };
  for (const client of clients) client.socket.on('message', onMessage);

  let cpuStart = sampleProcesses(pids).cpuMs;
  let generatorStart = ownCpuMs();
  let measuredStart = performance.now();
  const deadline = new Deadline((warmUpSeconds + seconds) * 1000 + DRAIN_TIMEOUT_MS * 2);
  const acks: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let n = 0;
    const timer = setInterval(() => {
      if (n === warmUp) {
        cpuStart = sampleProcesses(pids).cpuMs;
        generatorStart = ownCpuMs();
        measuredStart = performance.now();
      }
      sentAt[n] = performance.now();
      const sender = senders[n % senders.length]!;
      acks.push(
        request(sender.socket, 'message:send', { room: ROOM, text: `fan-out ${n}`, clientId: `${prefix}${n}` }, deadline).then(
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
  const cpuMs = sampleProcesses(pids).cpuMs - cpuStart;
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
    /** As a share of one core. */
    serverCpuShare: cpuMs / 10 / elapsed,
    generatorCpuMs,
    /** From the first measured send to the last delivery. */
    seconds: elapsed,
    refused,
  };
}
