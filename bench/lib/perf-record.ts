import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Linux `perf` sampling other processes' CPU on the software clock (this VM has no hardware
 * counters), with call chains, so that native frames (V8 builtins, libuv, OpenSSL, the kernel)
 * are seen beside JavaScript. The processes should run with PERF_NODE_FLAGS, which make Node
 * write /tmp/perf-PID.map naming its JIT code. Needs root (or perf_event_paranoid ≤ 1).
 */
export interface PerfRecording {
  /** Stops sampling and waits until perf has written its file. */
  stop(): Promise<void>;
}

/** Node flags that let perf name JavaScript frames: a map of JIT code, interpreted frames included. */
export const PERF_NODE_FLAGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];

/** Samples a second per thread: each sample stands for 1/PERF_FREQUENCY s of CPU. */
export const PERF_FREQUENCY = 1999;

export async function startPerfRecord(pids: readonly number[], outputFile: string): Promise<PerfRecording> {
  const args = ['record', '-e', 'cpu-clock', '-F', String(PERF_FREQUENCY), '-g', '-p', pids.join(','), '-o', outputFile];
  const perf: ChildProcess = spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  perf.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(perf, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // perf attaches to every thread of the processes before it samples; give it that moment.
  const early = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500))]);
  if (early) throw new Error(`perf record exited at start (${early[0] ?? early[1]}): ${stderr.trim()}`);
  return {
    async stop() {
      perf.kill('SIGINT');
      // perf re-raises the SIGINT it handled once its file is written.
      const [code, signal] = await exited;
      if (code !== 0 && signal !== 'SIGINT') throw new Error(`perf record failed (${code}): ${stderr.trim()}`);
    },
  };
}

/**
 * The recording's call chains folded, root first: `pid;thread;frame;...;leaf<TAB>samples`, each
 * frame `symbol@file` (the file's base name; JIT code's is perf-PID.map). Reads the JIT maps of
 * processes that have exited, then deletes them (Node never does), so run it after the processes end.
 */
export async function foldPerfRecording(dataFile: string, pids: readonly number[]): Promise<string> {
  for (const pid of pids) keepNewestJitEntries(`/tmp/perf-${pid}.map`);
  const script = spawn('perf', ['script', '-i', dataFile, '-F', 'comm,pid,tid,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const folded = new Map<string, number>();
  let head = '';
  let frames: string[] = [];
  const flush = () => {
    if (head) {
      const key = [head, ...frames.reverse()].join(';');
      folded.set(key, (folded.get(key) ?? 0) + 1);
    }
    head = '';
    frames = [];
  };
  for await (const line of createInterface({ input: script.stdout })) {
    if (line.trim() === '') flush();
    else if (!line.startsWith('\t')) {
      flush();
      // "MainThread  3330/3330  ": the thread's name, then pid/tid.
      const match = /^(.*?)\s+(\d+)\/\d+/.exec(line);
      head = match ? `${match[2]};${match[1]!.trim().replace(/;/g, ',')}` : '';
    } else {
      // "\t  7f72863a0cba JS:^actualWrite /path/index.js:636:22 (/tmp/perf-3330.map)"
      const match = /^\s*[0-9a-f]+\s+(.*)\s+\((.*)\)$/.exec(line);
      if (match) frames.push(`${match[1]!.replace(/;/g, ',')}@${match[2]!.split('/').pop()}`);
    }
  }
  flush();
  for (const pid of pids) rmSync(`/tmp/perf-${pid}.map`, { force: true });
  return [...folded].map(([stack, count]) => `${stack}\t${count}`).join('\n');
}

/**
 * Node only appends to its JIT map: when V8 frees code (start-up's, most of it) and reuses the
 * address, the map names it twice and perf may pick the stale name. The newest entry at an address
 * is the code that ran there after start-up, so older entries that overlap a newer one are dropped.
 */
function keepNewestJitEntries(mapFile: string): void {
  if (!existsSync(mapFile)) return;
  const entries = readFileSync(mapFile, 'utf8').split('\n').filter(Boolean);
  // Accepted ranges, newest first in time, kept sorted by start address.
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  const kept: string[] = [];
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const [startText, sizeText] = entries[i]!.split(' ', 2);
    const start = BigInt(`0x${startText}`);
    const end = start + BigInt(`0x${sizeText}`);
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (starts[middle]! < start) low = middle + 1;
      else high = middle;
    }
    const overlapsNext = low < starts.length && starts[low]! < end;
    const overlapsPrevious = low > 0 && ends[low - 1]! > start;
    if (overlapsNext || overlapsPrevious) continue;
    starts.splice(low, 0, start);
    ends.splice(low, 0, end);
    kept.push(entries[i]!);
  }
  writeFileSync(mapFile, `${kept.reverse().join('\n')}\n`);
}
