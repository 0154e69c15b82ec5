import { type PerformanceEntry, PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Loaded with `--import` into a server under test (started with --expose-gc and an IPC channel):
 * answers "heap" with the heap in use after a full collection, so heap per connection can be
 * measured in a process the load generator does not share; "loop" with the event loop's delay
 * since the last "loop" (what stalls a server shows here before it shows in latency); "exit" by
 * exiting normally, so that a `--cpu-prof` profile gets written.
 */
const RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loopDelay.enable();

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Garbage collection pauses in the same time: how many, their sum and the longest, and the major (mark-compact) ones apart. */
  gc: { pauses: number; totalMs: number; maxMs: number; majorPauses: number; majorMs: number };
}

const emptyGc = (): LoopDelay['gc'] => ({ pauses: 0, totalMs: 0, maxMs: 0, majorPauses: 0, majorMs: 0 });
let gc = emptyGc();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.pauses += 1;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.majorPauses += 1;
      gc.majorMs += entry.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (request) => {
  if (request === 'heap') {
    globalThis.gc?.();
    globalThis.gc?.();
    process.send?.({ heap: process.memoryUsage().heapUsed });
  } else if (request === 'loop') {
    // The histogram holds whole intervals between its timer's runs: the delay is what exceeds the resolution.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const loop: LoopDelay = { p50Ms: ms(loopDelay.percentile(50)), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max), gc };
    loopDelay.reset();
    gc = emptyGc();
    process.send?.({ loop });
  } else if (request === 'exit') {
    process.exit(0);
  }
});
