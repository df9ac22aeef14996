/**
 * Decode benchmark: gunzip alone (the floor), pprof-format + a naive
 * per-function aggregation, decodeHeapProfile (current) and
 * decodeHeapProfileFast, on real Go heap profiles of ~50 KB, ~500 KB and
 * ~5 MB (compressed); then `go tool pprof -raw` vs `heapwatch top --json`
 * as whole processes. Methods run interleaved inside each round, so a noisy
 * neighbour slows all of them alike; medians are reported.
 *
 * Build with `npx tsc -p tsconfig.json`, run with
 * `node dist/bench/decode.bench.js [--runs N] [--warmup N] [--proc-runs N] [--no-proc]`.
 * The 50 KB and 5 MB profiles are generated (bench/make-large-profile.ts)
 * into os.tmpdir() on first use; that needs Go and takes a minute or two.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { decodeHeapProfile } from '../src/pprof/decode.js';
import { CLI, PROFILES } from '../test/helpers/paths.js';
import { ensureGeneratedProfile } from './make-large-profile.js';

const LIMITS = { maxDecompressedBytes: 1024 * 1024 * 1024 };

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1 || v > 1000) throw new Error(`${name} must be an integer in 1..1000`);
  return v;
}
const RUNS = flag('--runs', 15);
const WARMUP = flag('--warmup', 3);
const PROC_RUNS = flag('--proc-runs', 7);
/** Stops a size early (after at least 5 measured rounds) once its rounds took this long. */
const SIZE_BUDGET_MS = flag('--budget-s', 240) * 1000;

/** (b) What a straightforward consumer of pprof-format writes: flat and cum per function name. */
function pprofFormatNaive(bytes: Uint8Array): number {
  const p = Profile.decode(gunzipSync(bytes));
  const strings = p.stringTable.strings;
  const valueIndex = p.sampleType.findIndex((t) => strings[Number(t.type)] === 'inuse_space');
  const names = new Map<number, string>();
  for (const f of p.function) names.set(Number(f.id), strings[Number(f.name)] ?? '');
  const locations = new Map<number, string[]>();
  for (const l of p.location) locations.set(Number(l.id), l.line.map((line) => names.get(Number(line.functionId)) ?? ''));
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  for (const s of p.sample) {
    const v = Number(s.value[valueIndex] ?? 0);
    const seen = new Set<string>();
    s.locationId.forEach((id, i) => {
      (locations.get(Number(id)) ?? []).forEach((name, j) => {
        if (i === 0 && j === 0) flat.set(name, (flat.get(name) ?? 0) + v);
        if (!seen.has(name)) cum.set(name, (cum.get(name) ?? 0) + v);
        seen.add(name);
      });
    });
  }
  return flat.size + cum.size;
}

interface Method {
  key: string;
  label: string;
  run: (bytes: Uint8Array) => unknown;
}

const METHODS: Method[] = [
  { key: 'a', label: '(a) gunzip only', run: (b) => gunzipSync(b) },
  { key: 'b', label: '(b) pprof-format + naive agg', run: pprofFormatNaive },
  { key: 'c', label: '(c) decodeHeapProfile', run: (b) => decodeHeapProfile(b, LIMITS) },
  { key: 'd', label: '(d) decodeHeapProfileFast', run: (b) => decodeHeapProfileFast(b, LIMITS) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

function benchSize(name: string, file: string): string[] {
  const bytes = readFileSync(file);
  const rawBytes = gunzipSync(bytes).length;
  const times = new Map<string, number[]>(METHODS.map((m) => [m.key, []]));
  const started = performance.now();
  let rounds = 0;
  for (let round = 0; round < WARMUP + RUNS; round++) {
    // Rotate the order each round so no method always runs right after the GC-heavy one.
    for (let i = 0; i < METHODS.length; i++) {
      const m = METHODS[(i + round) % METHODS.length]!;
      const t0 = performance.now();
      m.run(bytes);
      const dt = performance.now() - t0;
      if (round >= WARMUP) times.get(m.key)!.push(dt);
    }
    if (round >= WARMUP) rounds++;
    if (rounds >= 5 && performance.now() - started > SIZE_BUDGET_MS) break;
  }
  const med = new Map([...times].map(([k, v]) => [k, median(v)]));
  const a = med.get('a')!;
  const b = med.get('b')!;
  const d = med.get('d')!;
  const rows = METHODS.map((m) => {
    const ms = med.get(m.key)!;
    return `| ${name} (${fmt(bytes.length / 1e6, 2)} MB gz, ${fmt(rawBytes / 1e6, 2)} MB raw) | ${m.label} | ${fmt(ms, 2)} | ${fmt(1000 / ms)} | ${fmt(bytes.length / 1e6 / (ms / 1000))} | ${fmt(rawBytes / 1e6 / (ms / 1000))} | ${rounds} |`;
  });
  rows.push(`| ${name} | **(b)/(d) = ${fmt(b / d)}×**, **(d)/(a) = ${fmt(d / a)}×**, (c)/(d) = ${fmt(med.get('c')! / d)}× | | | | | |`);

  // The same two, without (b) and (c) in the loop: their garbage (hundreds of MB
  // per round) triggers major GCs that land in whichever method runs next, so
  // this is the cost a daemon that only runs the fast decoder would see.
  const alone = { a: [] as number[], d: [] as number[] };
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const key of ['a', 'd'] as const) {
      const t0 = performance.now();
      METHODS.find((m) => m.key === key)!.run(bytes);
      if (round >= WARMUP) alone[key].push(performance.now() - t0);
    }
  }
  const aa = median(alone.a);
  const dd = median(alone.d);
  rows.push(`| ${name} | (a) gunzip only, (a)/(d) loop only | ${fmt(aa, 2)} | ${fmt(1000 / aa)} | ${fmt(bytes.length / 1e6 / (aa / 1000))} | ${fmt(rawBytes / 1e6 / (aa / 1000))} | ${RUNS} |`);
  rows.push(`| ${name} | (d) decodeHeapProfileFast, (a)/(d) loop only | ${fmt(dd, 2)} | ${fmt(1000 / dd)} | ${fmt(bytes.length / 1e6 / (dd / 1000))} | ${fmt(rawBytes / 1e6 / (dd / 1000))} | ${RUNS} |`);
  rows.push(`| ${name} | (a)/(d) loop only: **(d)/(a) = ${fmt(dd / aa)}×**, (b)/(d) = ${fmt(b / dd)}× | | | | | |`);
  return rows;
}

function timeProcess(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const dt = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: status ${r.status}: ${r.stderr?.toString().slice(0, 300)}`);
  return dt;
}

function benchProcesses(name: string, file: string): string[] {
  const go: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < PROC_RUNS + 1; i++) {
    // The first round warms the page cache and go's tool cache; it is not counted.
    const g = timeProcess('go', ['tool', 'pprof', '-raw', file]);
    const n = timeProcess(process.execPath, [CLI, 'top', file, '--json']);
    if (i > 0) {
      go.push(g);
      node.push(n);
    }
  }
  return [
    `| ${name} | (e) go tool pprof -raw (process) | ${fmt(median(go))} | ${PROC_RUNS} |`,
    `| ${name} | (e) heapwatch top --json (process, fast decoder) | ${fmt(median(node))} | ${PROC_RUNS} |`,
  ];
}

function main(): void {
  const sizes: [string, string][] = [
    ['~50 KB', ensureGeneratedProfile('50kb')],
    ['~500 KB', `${PROFILES}large.pb.gz`],
    ['~5 MB', ensureGeneratedProfile('5mb')],
  ];
  console.log(`node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}, ${RUNS} runs after ${WARMUP} warm-ups, interleaved\n`);
  console.log('| profile | method | median ms | profiles/s | MB/s (gz) | MB/s (raw) | runs |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, file] of sizes) {
    for (const row of benchSize(name, file)) console.log(row);
  }
  if (process.argv.includes('--no-proc')) return;
  console.log('\n| profile | whole process | median ms | runs |');
  console.log('| --- | --- | ---: | ---: |');
  for (const [name, file] of sizes) {
    for (const row of benchProcesses(name, file)) console.log(row);
  }
  console.log(`\nload average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
}

main();
