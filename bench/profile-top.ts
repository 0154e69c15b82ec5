import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The top self-time frames of `.cpuprofile` files (node --cpu-prof; `npm run bench -- --cpu-prof
 * DIR` writes one per server), and the same time summed by where the code lives (a package, the
 * role's own code, Node's internals), so that "what does the server spend its CPU on" has an
 * answer in one screen. Idle time (the event loop waiting) is left out of the shares.
 * Usage: npx tsx bench/profile-top.ts [--top N] FILE.cpuprofile...
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOT_WORK = new Set(['(idle)', '(program)']);

function whereFrom(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const packageAt = path.lastIndexOf('node_modules/');
  if (packageAt >= 0) {
    const parts = path.slice(packageAt + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return relative(ROOT, path);
}

function summarize(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, at) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[at] ?? 0)));
  const frames = new Map<string, number>();
  const places = new Map<string, number>();
  let work = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    const name = functionName || '(anonymous)';
    if (NOT_WORK.has(name)) continue;
    work += us;
    const where = whereFrom(url);
    const frame = `${name}  ${where === '(native / V8)' ? '' : `${where.split('/').slice(-2).join('/')}:${lineNumber + 1}`}`;
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    const place = where.startsWith('WorkerRole1/') ? where : where.split('/').slice(0, 2).join('/');
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const share = (us: number) => `${((100 * us) / Math.max(work, 1)).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms`;
  const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(work / 1e6).toFixed(1)} s of it working (not idle)`);
  console.log('  top frames by self time:');
  for (const [frame, us] of ranked(frames)) console.log(`    ${share(us)}  ${frame}`);
  console.log('  by where the code lives:');
  for (const [place, us] of ranked(places)) console.log(`    ${share(us)}  ${place}`);
}

const args = process.argv.slice(2);
let top = 25;
const files: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--top') top = Number(args[++i]);
  else files.push(args[i]!);
}
if (files.length === 0 || !Number.isInteger(top) || top < 1) {
  console.error('usage: npx tsx bench/profile-top.ts [--top N] FILE.cpuprofile...');
  process.exit(2);
}
for (const file of files) summarize(file, top);
