import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What bench/lib/stored-path-trace.mjs recorded (wall-clock ms). */
type TraceRecord =
  | { k: 'job' | 'transaction' | 'batch'; start: number; end: number; rows?: number }
  | { k: 'save'; start: number; end: number; bytes: number }
  | { k: 'stall'; at: number; lateMs: number };

export interface Window {
  start: number;
  end: number;
}

function read(dir: string, prefix: string): TraceRecord[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.ndjson'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as TraceRecord));
}

function spread(durations: number[]): Record<string, string | number> {
  const sorted = durations.sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? '-' : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1));
  return { count: sorted.length, 'p50 ms': at(0.5), 'p90 ms': at(0.9), 'p99 ms': at(0.99), 'max ms': at(1) };
}

/**
 * The stored path of the messages sent in `window` to the role `rolePid`: its writer (enqueue → stored), its
 * transactions (request → answer), Azurite's own time per `$batch`, LokiJS's saves, and the event
 * loop stalls of both processes over the same time.
 */
export function storedPathRows(dir: string, rolePid: number, window: Window): Record<string, string | number>[] {
  const inWindow = (record: TraceRecord) => ('at' in record ? record.at : record.start) >= window.start && ('at' in record ? record.at : record.start) <= window.end;
  const role = read(dir, `role-${rolePid}.`).filter(inWindow);
  const azurite = read(dir, 'azurite-').filter(inWindow);
  const durations = (records: TraceRecord[], kind: TraceRecord['k']) =>
    records.flatMap((record) => (record.k === kind && 'end' in record ? [record.end - record.start] : []));
  const stalls = (records: TraceRecord[]) => records.flatMap((record) => (record.k === 'stall' ? [record.lateMs] : []));
  const transactions = role.filter((record) => record.k === 'transaction');
  const saves = azurite.flatMap((record) => (record.k === 'save' ? [`${(record.end - record.start).toFixed(0)} ms at ${(record.bytes / 1e6).toFixed(1)} MB`] : []));
  return [
    { step: 'role: writer enqueue → stored', ...spread(durations(role, 'job')) },
    { step: `role: transaction, request → answer (${(transactions.reduce((sum, record) => sum + ('rows' in record ? record.rows ?? 0 : 0), 0) / 3 / Math.max(1, transactions.length)).toFixed(1)} messages each)`, ...spread(durations(role, 'transaction')) },
    { step: 'Azurite: a $batch, request parsed → response finished', ...spread(durations(azurite, 'batch')) },
    { step: 'role: event loop stalls over 20 ms (lateness)', ...spread(stalls(role)) },
    { step: `Azurite's process: stalls over 20 ms; saves: ${saves.join(', ') || 'none'}`, ...spread(stalls(azurite)) },
  ];
}
