import { startAzurite } from '../../test/helpers/azurite.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { Deadline, closeAll, localAddressFor, sleep } from '../lib/clients.js';
import { type JoinedClient, ROOM, joinStorm } from '../lib/join.js';
import { Ledger } from '../lib/ledger.js';
import type { BenchOptions } from '../lib/options.js';
import { ownCpuMs, sampleProcess } from '../lib/process-stats.js';
import { type Recovery, recover } from '../lib/recovery.js';
import type { Comparison } from '../lib/report.js';
import { startSending } from '../lib/senders.js';
import { type ServerProcess, startChatapp } from '../lib/servers.js';
import { progress } from '../lib/progress.js';
import { type ScenarioResult, generatorShare } from './scenario.js';

const SENDERS = 10;
/** Sending runs this long before the crash, and this long after the last client is back. */
const BEFORE_CRASH_MS = 2000;
const AFTER_RECOVERY_MS = 3000;
/** For deliveries still on their way when the last ack arrives. */
const SETTLE_MS = 2000;
const TARGET_SECONDS = 15;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

interface RunOutcome {
  allBackSeconds: number;
  p50Seconds: number;
  p95Seconds: number;
  connectedSeconds: number;
  lost: number;
  notes: string[];
}

async function runOnce(run: number, count: number, options: BenchOptions): Promise<RunOutcome> {
  const [redis, azurite] = await Promise.all([startRedisServer(), startAzurite()]);
  const settings = { REDIS_URL: redis.url, STORAGE_CONNECTION_STRING: azurite.connectionString, HISTORY_TABLE: `reconnectbench${run}` };
  const instances: ServerProcess[] = [];
  const notes: string[] = [];
  const ledger = new Ledger();
  let clients: JoinedClient[] = [];
  try {
    instances.push(await startChatapp(settings), await startChatapp(settings));
    const [doomed, survivor] = instances as [ServerProcess, ServerProcess];
    progress(`reconnect run ${run}: ${count} clients joining`);
    const storm = await joinStorm({ url: (n) => instances[n % 2]!.url, count, concurrency: options.concurrency, timeoutMs: options.timeout * 1000, spread: true });
    clients = storm.clients;
    if (clients.length < count) throw new Error(`only ${clients.length} of ${count} joined within ${options.timeout} s (${storm.failures || 'timeout'})`);
    notes.push(`run ${run}: ${count} joined in ${storm.seconds.toFixed(1)} s`);
    const receivers = new Map(clients.map((client) => [client, ledger.receiver()]));
    for (const [client, receiver] of receivers) client.socket.on('message', receiver.see);
    const affected = clients.filter((client) => client.url === doomed.url);
    const senders = clients.filter((client) => client.url === survivor.url).slice(0, SENDERS);

    const deadline = new Deadline(options.timeout * 1000);
    const sending = startSending(senders, ROOM, options.messageRate, (message) => ledger.recordAck(message), deadline);
    await sleep(BEFORE_CRASH_MS);
    const ackedBeforeCrash = sending.stats.acked;
    progress(`reconnect run ${run}: kill -9 of the instance holding ${affected.length} clients`);
    const generatorBefore = ownCpuMs();
    const survivorBefore = sampleProcess(survivor.pid).cpuMs;
    const azuriteBefore = sampleProcess(azurite.pid!).cpuMs;
    const crashedAt = Date.now();
    await doomed.kill();
    const recoveries: Recovery[] = await Promise.all(
      affected.map((client) => {
        const receiver = receivers.get(client)!;
        // Every affected client loses its socket at the crash; none waits for its own disconnect event.
        return recover(client, receiver, ROOM, survivor.url, localAddressFor(Number(client.nickname.slice(1))), crashedAt, deadline);
      }),
    );
    const stormSeconds = (Date.now() - crashedAt) / 1000;
    const generatorCpuMs = ownCpuMs() - generatorBefore;
    const survivorCpuMs = sampleProcess(survivor.pid).cpuMs - survivorBefore;
    const azuriteCpuMs = sampleProcess(azurite.pid!).cpuMs - azuriteBefore;
    progress(`reconnect run ${run}: recovery over after ${stormSeconds.toFixed(1)} s; sending a little longer, then checking every receiver`);
    await sleep(AFTER_RECOVERY_MS);
    const sent = await sending.stop();
    await sleep(SETTLE_MS);

    const recovered = recoveries.filter((r) => r.recoveredMs !== undefined).map((r) => r.recoveredMs! / 1000);
    const connected = recoveries.filter((r) => r.connectedMs !== undefined).map((r) => r.connectedMs! / 1000);
    const check = ledger.verify();
    const affectedCheck = ledger.verify(affected.map((client) => receivers.get(client)!));
    const errorCounts = new Map<string, number>();
    for (const error of recoveries.flatMap((r) => r.errors)) errorCounts.set(error, (errorCounts.get(error) ?? 0) + 1);
    const usedRoomJoin = recoveries.filter((r) => r.usedRoomJoin).length;
    notes.push(
      `run ${run}: ${affected.length} clients on the killed instance, ${recovered.length} back in the room and caught up; sockets reconnected within ${Math.max(...connected, 0).toFixed(1)} s; ${recoveries.reduce((sum, r) => sum + r.attempts, 0)} attempts`,
      usedRoomJoin > 0
        ? `run ${run}: ${usedRoomJoin} resumed sessions did not list the room in session:start's rooms, so those clients sent room:join (the protocol's fallback)`
        : `run ${run}: every resumed session listed its room in session:start's rooms (no room:join)`,
      `run ${run}: ${sent.sent} messages sent by ${senders.length} clients that never disconnected (${ackedBeforeCrash} acked before the crash), ${sent.acked} acked, ${sent.unacked} never acknowledged, ${sent.resent} resent, ${sent.restored} session restores by connected senders; send errors: ${[...sent.errors].map(([code, n]) => `${n}× ${code}`).join(', ') || 'none'}`,
      `run ${run}: at ${clients.length} receivers: ${check.lost} acknowledged deliveries missing (at ${check.receiversMissing} clients: ${affectedCheck.receiversMissing} of them reconnected, ${check.receiversMissing - affectedCheck.receiversMissing} never disconnected); ${check.copiesUnderAnotherId} copies under a second id and ${check.repeatsById} repeats of an id, each shown once by the protocol's dedupe; ${check.storedTwice} messages exist under two ids`,
      `run ${run}: recovery errors: ${[...errorCounts].map(([reason, n]) => `${n}× ${reason}`).join(', ') || 'none'}; generator CPU during the storm ${generatorShare(generatorCpuMs, stormSeconds)} of a core`,
      `run ${run}: CPU during the storm: the surviving instance ${(survivorCpuMs / 1000).toFixed(2)} s (${((survivorCpuMs * 1000) / Math.max(affected.length, 1)).toFixed(0)} µs per affected client), Azurite ${(azuriteCpuMs / 1000).toFixed(2)} s`,
    );
    return {
      allBackSeconds: recovered.length === affected.length ? Math.max(...recovered, 0) : Number.POSITIVE_INFINITY,
      p50Seconds: percentile(recovered, 0.5),
      p95Seconds: percentile(recovered, 0.95),
      connectedSeconds: Math.max(...connected, 0),
      lost: check.lost,
      notes,
    };
  } finally {
    closeAll(clients.map((client) => client.socket));
    // Everything started here stops, even when one of them fails to.
    await Promise.allSettled(instances.map((instance) => instance.stop()));
    await Promise.allSettled([redis.stop(), azurite.dispose()]);
  }
}

/**
 * Scenario 3: two instances with Redis and Azurite, `count` clients in one room, kill -9 of one
 * instance. No baseline: bare Socket.IO has no sessions or history to recover.
 */
export async function reconnectStorm(options: BenchOptions): Promise<ScenarioResult> {
  const count = options.clients ?? 4000;
  const scenario = 'reconnect';
  const allBack: Comparison = { scenario, metric: 'time until every affected client is back (s)', baseline: [], chatapp: [], digits: 1, target: `≤ ${TARGET_SECONDS} s` };
  const p50: Comparison = { scenario, metric: 'affected client back, p50 (s)', baseline: [], chatapp: [], digits: 1, target: '-' };
  const p95: Comparison = { scenario, metric: 'affected client back, p95 (s)', baseline: [], chatapp: [], digits: 1, target: '-' };
  const lost: Comparison = { scenario, metric: 'acknowledged deliveries lost', baseline: [], chatapp: [], digits: 0, target: '0' };
  const notes = [
    `reconnect: ${count} clients in one room on two chatapp instances (REDIS_URL, STORAGE_CONNECTION_STRING to Azurite), half on each; kill -9 of one; its clients wait the browser client's backoff (0.5-1.5 s, then up to 5 s), reconnect to the other, session:start {session}, history:fetch {after}; ${SENDERS} clients that never disconnect send ${options.messageRate} messages/s throughout. No bare Socket.IO baseline (it has nothing to recover): absolute seconds against the ${TARGET_SECONDS} s target`,
  ];
  for (let run = 1; run <= options.runs; run += 1) {
    const outcome = await runOnce(run, count, options);
    allBack.chatapp.push(outcome.allBackSeconds);
    p50.chatapp.push(outcome.p50Seconds);
    p95.chatapp.push(outcome.p95Seconds);
    lost.chatapp.push(outcome.lost);
    notes.push(...outcome.notes);
  }
  return { comparisons: [allBack, p50, p95, lost], notes };
}
