import { readFileSync } from 'node:fs';

/**
 * The frames a V8 CPU profile (`node --cpu-prof`) spent most self time in, and the same summed by
 * package, so that two profiles of the same load can be read side by side.
 * `--match REGEX` also sums the self time of the frames whose script URL matches (e.g. what
 * telemetry's own code costs: `--match 'opentelemetry|monitor|telemetry/'`).
 * Usage: npx tsx bench/profile-top.ts FILE.cpuprofile [--top 25] [--match REGEX]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx bench/profile-top.ts FILE.cpuprofile [--top N]');
  process.exit(2);
}
const option = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const top = Number(option('--top') ?? 25);
const match = option('--match');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);

function packageOf(url: string): string {
  const found = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/') - 1 >= 0 ? url.lastIndexOf('node_modules/') : 0));
  if (found) return found[1]!;
  if (url.startsWith('node:')) return 'node (built-in)';
  if (url === '') return '(V8, GC, native)';
  return url.includes('/WorkerRole1/') ? 'chatapp' : url.replace(/^.*\//, '');
}

const frames = new Map<string, number>();
let matched = 0;
const packages = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/WorkerRole1\//, '')}:${lineNumber + 1}` : '';
  const frame = `${functionName || '(anonymous)'} ${where}`.trim();
  frames.set(frame, (frames.get(frame) ?? 0) + micros);
  if (match && new RegExp(match).test(url)) matched += micros;
  const pkg = packageOf(url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
}

const share = (micros: number) => `${((100 * micros) / total).toFixed(1)}%`;
const rows = (map: Map<string, number>) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => ({ 'self ms': (micros / 1000).toFixed(0), share: share(micros), name }));
const idle = [...selfMicros].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, micros]) => sum + micros, 0);
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${((total - idle) / 1000).toFixed(0)} ms not idle`);
if (match) console.log(`frames matching /${match}/: ${(matched / 1000).toFixed(0)} ms, ${((100 * matched) / (total - idle)).toFixed(1)}% of the time not idle`);
console.table(rows(frames));
console.table(rows(packages));
