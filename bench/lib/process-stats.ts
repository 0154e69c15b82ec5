import { readFileSync, readdirSync } from 'node:fs';

/** Linux reports CPU times in clock ticks of 1/USER_HZ s; USER_HZ is 100 on every Linux this runs on. */
const TICK_MS = 10;
const PAGE_BYTES = 4096;

export interface ProcessSample {
  /** User plus system CPU time so far, in ms. */
  cpuMs: number;
  rssBytes: number;
}

/**
 * CPU time and resident memory of another process, read from /proc (no dependency). Fields after
 * the command name are counted from its closing parenthesis, since a name may contain spaces.
 */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, rss (pages) 24.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuMs: (utime + stime) * TICK_MS, rssBytes: rssPages * PAGE_BYTES };
}

/** The sum over several processes (the instances of a cluster). */
export function sampleProcesses(pids: readonly number[]): ProcessSample {
  let cpuMs = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    cpuMs += sample.cpuMs;
    rssBytes += sample.rssBytes;
  }
  return { cpuMs, rssBytes };
}

/** Direct children of a process, from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list) children.push(...list.split(' ').map(Number));
  }
  return children;
}

/** This process's own CPU time so far, in ms: the load generator's cost, reported beside the server's. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The redis-server serving `port` on this machine, found by the title it gives itself (`redis-server 127.0.0.1:<port>`). */
export function redisServerPid(port: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
    } catch {
      continue;
    }
    if (/redis-server \S*:(\d+)$/.exec(title)?.[1] === String(port)) return Number(entry);
  }
  throw new Error(`no redis-server on port ${port}`);
}
