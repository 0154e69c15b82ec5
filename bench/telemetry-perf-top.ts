import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Reads what `bench:telemetry --perf DIR` recorded (every pass's folded perf samples and which pid
 * was which mode) and shows, per mode and normalised per delivery (µs), where the servers' CPU
 * went: by thread, by whose work it was (the innermost JavaScript frame's package), by kind of code
 * (JIT'd JavaScript by tier, V8's builtins, V8's runtime and GC, Node's C++, libuv, OpenSSL, libc,
 * the kernel), then the symbols whose self and inclusive time differ most from off's. Passes are summed.
 * Usage: npx tsx bench/telemetry-perf-top.ts DIR [--top 30] [--main-only] [--under REGEX]
 * `--under REGEX` keeps only samples with a frame matching REGEX on their stack (e.g. 'writev'),
 * from the outermost such frame down: what that frame's time is made of.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, 'main-only': { type: 'boolean', default: false }, under: { type: 'string' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: npx tsx bench/telemetry-perf-top.ts DIR [--top 30] [--main-only] [--under REGEX]');
const top = Number(values.top);
const mainOnly = values['main-only'];
const under = values.under === undefined ? undefined : new RegExp(values.under);

interface Pass {
  deliveries: number;
  frequency: number;
  pids: Record<string, { mode: string; cpuMicros: number }>;
  loadavg: number[];
}

/** What a frame is, from its symbol and the file perf found it in. */
function kindOf(symbol: string, file: string): string {
  if (file.endsWith('.map')) return `JS ${{ '*': 'TurboFan', '+': 'Maglev', '^': 'Sparkplug', '~': 'interpreted' }[symbol.charAt(3)] ?? 'other'}`;
  if (file === '[kernel.kallsyms]') return 'kernel';
  if (file.startsWith('libc.so')) return 'libc';
  if (file.startsWith('libstdc++') || file.startsWith('libm.so')) return 'libstdc++/libm';
  if (file !== 'node') return file;
  if (symbol.startsWith('Builtins_')) return 'V8 builtins';
  if (/Scaveng|MarkCompact|Sweeper|Marking|Heap::|Evacuat|GCTracer|MemoryChunk|PagedSpace|NewSpace|SemiSpace/.test(symbol)) return 'V8 GC';
  if (/^(v8::|v8_|Turboshaft|Maglev)/.test(symbol)) return 'V8 runtime';
  if (/^(node::|std::|napi_|cppgc)/.test(symbol)) return 'node C++';
  if (/^uv_|^uv__/.test(symbol)) return 'libuv';
  if (/^(SSL|ssl|EVP|tls|ossl|OSSL|CRYPTO|BN_|aes|AES|sha|SHA|gcm|ChaCha|chacha|poly1305|RAND|ERR_|BIO|ASN1|X509|OPENSSL)/.test(symbol)) return 'OpenSSL';
  if (/deflate|inflate|crc32|adler32|zlib|_tr_|longest_match/.test(symbol)) return 'zlib';
  return 'node binary, other';
}

const repositoryPrefix = new RegExp(`(file://)?${fileURLToPath(new URL('..', import.meta.url)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');

/** The same function whatever tier it ran in, paths shortened to what follows node_modules or the repository. */
const symbolOf = (frame: string) => {
  const at = frame.lastIndexOf('@');
  const symbol = frame.slice(0, at);
  // V8 marks the tier (~ ^ + *) and context specialisation (') before the function's name.
  const named = symbol.replace(/^JS:[~^+*]?'?/, 'JS:');
  return named.replace(/\S*\/node_modules\//g, '').replace(repositoryPrefix, '');
};

/** Packages whose code is telemetry's: the OpenTelemetry SDK and API, the distribution and its exporter and HTTP client, chatapp's telemetry/. */
const TELEMETRY_CODE = /@opentelemetry\/|@azure\/|@typespec\/|\/server\/telemetry\//;

/**
 * Whose work a sample is: the package (or Node module) of its innermost JavaScript frame, which
 * takes the builtins, runtime, libc and kernel work that frame called; telemetry's packages
 * summed as one. Samples with no JavaScript frame keep their thread's name.
 */
function ownerOf(thread: string, frames: string[]): string {
  const js = frames.findLast((frame) => frame.startsWith('JS:'));
  if (!js) return thread === 'MainThread' || thread === 'node' ? 'main thread, no JavaScript frame (event loop, GC)' : `${thread} (V8's compiler and GC threads)`;
  if (TELEMETRY_CODE.test(js)) return 'telemetry (SDK, distribution, exporters, chatapp telemetry/)';
  const inPackage = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(js);
  if (inPackage) return inPackage[1]!;
  const nodeModule = / node:(\S+?):\d/.exec(js);
  // Which of the two holds the socket write (and its kernel time) depends only on what V8 inlined.
  if (nodeModule && /^(net|internal\/stream_base_commons)$/.test(nodeModule[1]!)) return 'node:net and stream_base_commons (socket writes, kernel included)';
  if (nodeModule) return `node:${nodeModule[1]}`;
  return /WorkerRole1|test\/helpers/.test(js) ? 'chatapp' : 'other JavaScript';
}

interface Tally {
  samples: number;
  deliveries: number;
  frequency: number;
  threads: Map<string, number>;
  owners: Map<string, number>;
  kinds: Map<string, number>;
  self: Map<string, number>;
  inclusive: Map<string, number>;
}
const add = (map: Map<string, number>, key: string, count: number) => map.set(key, (map.get(key) ?? 0) + count);

const tallies = new Map<string, Tally>();
const loads: string[] = [];
for (const name of readdirSync(dir).filter((file) => /^pass-\d+\.json$/.test(file)).sort()) {
  const pass = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Pass;
  loads.push(pass.loadavg.map((load) => load.toFixed(1)).join(' '));
  for (const { mode } of Object.values(pass.pids)) {
    const tally = tallies.get(mode) ?? { samples: 0, deliveries: 0, frequency: pass.frequency, threads: new Map(), owners: new Map(), kinds: new Map(), self: new Map(), inclusive: new Map() };
    tally.deliveries += pass.deliveries;
    tallies.set(mode, tally);
  }
  for (const line of readFileSync(join(dir, name.replace('.json', '.folded')), 'utf8').split('\n')) {
    if (!line) continue;
    const [stack, countText] = line.split('\t');
    const [pid, thread, ...stackFrames] = stack!.split(';');
    const tally = tallies.get(pass.pids[pid!]!.mode)!;
    if (mainOnly && thread !== 'MainThread' && thread !== 'node') continue;
    const from = under ? stackFrames.findIndex((frame) => under.test(frame)) : 0;
    if (from < 0) continue;
    const frames = stackFrames.slice(from);
    const count = Number(countText);
    tally.samples += count;
    add(tally.threads, thread!, count);
    add(tally.owners, ownerOf(thread!, frames), count);
    const leaf = frames.at(-1) ?? '[no frame]@';
    add(tally.kinds, kindOf(leaf.slice(0, leaf.lastIndexOf('@')), leaf.slice(leaf.lastIndexOf('@') + 1)), count);
    add(tally.self, symbolOf(leaf), count);
    for (const symbol of new Set(frames.map(symbolOf))) add(tally.inclusive, symbol, count);
  }
}

const modes = [...tallies.keys()];
const off = tallies.get('off');
if (!off) throw new Error(`${dir}: no server in mode off`);
/** µs of CPU per delivery that `count` samples stand for. */
const perDelivery = (tally: Tally, count: number) => (count / tally.frequency / tally.deliveries) * 1e6;
const cell = (value: number) => value.toFixed(3);

console.log(`${dir}: ${loads.length} passes, load average at each pass's end: ${loads.join('; ')}${mainOnly ? '; main thread only' : ''}${under ? `; stacks under /${under.source}/` : ''}`);
console.table(modes.map((mode) => ({ mode, samples: tallies.get(mode)!.samples, deliveries: tallies.get(mode)!.deliveries, 'µs/delivery': cell(perDelivery(tallies.get(mode)!, tallies.get(mode)!.samples)), 'vs off': (tallies.get(mode)!.samples / tallies.get(mode)!.deliveries / (off.samples / off.deliveries)).toFixed(3) })));

/** A table of keys (rows) by mode, µs per delivery, with each mode's difference from off. */
function compare(title: string, pick: (tally: Tally) => Map<string, number>, limit: number) {
  const keys = new Set(modes.flatMap((mode) => [...pick(tallies.get(mode)!).keys()]));
  const value = (mode: string, key: string) => perDelivery(tallies.get(mode)!, pick(tallies.get(mode)!).get(key) ?? 0);
  const largestChange = (key: string) => Math.max(...modes.map((mode) => Math.abs(value(mode, key) - value('off', key))));
  const rows = [...keys].sort((a, b) => largestChange(b) - largestChange(a) || value('off', b) - value('off', a)).slice(0, limit);
  console.log(`\n${title} (µs per delivery; "Δ mode" is mode less off)`);
  console.table(
    rows.map((key) => ({
      [title]: key.length > 90 ? `${key.slice(0, 87)}...` : key,
      ...Object.fromEntries(modes.flatMap((mode) => [[mode, cell(value(mode, key))], ...(mode === 'off' ? [] : [[`Δ ${mode}`, cell(value(mode, key) - value('off', key))]])])),
    })),
  );
}
compare('thread', (tally) => tally.threads, 12);
compare('whose work (innermost JavaScript frame)', (tally) => tally.owners, 20);
compare('kind of code (self)', (tally) => tally.kinds, 20);
compare('symbol (self)', (tally) => tally.self, top);
compare('symbol (inclusive)', (tally) => tally.inclusive, top);
