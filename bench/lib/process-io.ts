import { readFileSync } from 'node:fs';

export interface ProcessWrites {
  /** Bytes the process handed to write(2)/writev(2) so far: sockets, pipes and files alike. */
  bytes: number;
  /** How many such calls. */
  calls: number;
}

/** What processes have written so far, summed, from /proc/<pid>/io (`wchar`, `syscw`). */
export function sampleWrites(pids: readonly number[]): ProcessWrites {
  let bytes = 0;
  let calls = 0;
  for (const pid of pids) {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    bytes += Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? Number.NaN);
    calls += Number(/^syscw: (\d+)$/m.exec(io)?.[1] ?? Number.NaN);
  }
  return { bytes, calls };
}
