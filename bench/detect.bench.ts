/**
 * Detection cost and memory per target, after 24 h of 1-minute history:
 * - the time of one scrape's detection (read the profile's stacks, append,
 *   then every detector over every horizon: 2 h, 6 h, 24 h), median of the
 *   last 30 scrapes of the day; the target is <= 20 ms;
 * - the detection state's memory: the fixed typed arrays (history of the
 *   tracked stacks) and the JS heap a session holds (its stack dictionary
 *   included), measured as the heap difference over 10 sessions.
 * Inputs are real recorded series (test/fixtures/corpus), replayed back and
 * forth over 24 h, and the large real profile (test/fixtures/profiles/
 * large.pb.gz: ~3,000 functions, tens of thousands of stacks) with five of
 * its stacks growing and the others jittering per scrape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DETECT_PARAMS } from '../src/detect/params.js';
import { DetectionSession } from '../src/detect/session.js';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { sampleColumns, stackCount, type HeapProfile } from '../src/pprof/profile.js';
import { median, table } from './stats.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const limits = { maxDecompressedBytes: 512 * 1024 * 1024 };
const MIN = 60_000;
const DAY_MINUTES = 24 * 60;

function corpusSeries(name: string): HeapProfile[] {
  const dir = join(FIXTURES, 'corpus', name, 'profiles');
  return readdirSync(dir).sort().map((f) => decodeHeapProfileFast(readFileSync(join(dir, f)), limits));
}

/** Point i of a day: the series played forwards then backwards (no restart-like jump). */
function pingPong(profiles: HeapProfile[]): (i: number) => HeapProfile {
  const n = profiles.length;
  return (i) => {
    const k = i % (2 * n - 2);
    return profiles[k < n ? k : 2 * n - 2 - k]!;
  };
}

/** The large profile, five stacks growing 1 MB per scrape, every stack jittering ±5%, alloc counters rising. */
function largeVaried(): (i: number) => HeapProfile {
  const base = decodeHeapProfileFast(readFileSync(join(FIXTURES, 'profiles', 'large.pb.gz')), limits);
  const width = base.sampleTypes.length;
  const { inuse_space: bi, alloc_space: ai } = sampleColumns(base);
  const n = stackCount(base);
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return (i) => {
    const values = Float64Array.from(base.stacks.values);
    for (let s = 0; s < n; s++) {
      values[s * width + bi] = values[s * width + bi]! * (0.95 + 0.1 * rand());
      values[s * width + ai] = values[s * width + ai]! * (1 + i);
    }
    for (let s = 0; s < 5; s++) values[s * 997 * width + bi] = values[s * 997 * width + bi]! + i * 1e6;
    const totals = [...base.totals];
    totals[ai] = totals[ai]! * (1 + i);
    return { ...base, stacks: { ...base.stacks, values }, totals };
  };
}

/** 24 h of history at `intervalMin`; the detection time of the last 30 scrapes. */
function day(at: (i: number) => HeapProfile, intervalMin: number): { ms: number[]; session: DetectionSession; points: number } {
  const session = new DetectionSession(DEFAULT_DETECT_PARAMS);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const ms: number[] = [];
  const points = DAY_MINUTES / intervalMin;
  for (let i = 0; i < points; i++) {
    const p = at(i);
    const start = performance.now();
    session.observe('1', t0 + i * intervalMin * MIN, p);
    if (i >= points - 30) ms.push(performance.now() - start);
  }
  return { ms, session, points };
}

function heapPerSession(at: (i: number) => HeapProfile, points: number, intervalMin: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  const profiles = Array.from({ length: points }, (_, i) => at(i));
  gc();
  const before = process.memoryUsage().heapUsed;
  const sessions: DetectionSession[] = [];
  for (let k = 0; k < 10; k++) {
    const s = new DetectionSession(DEFAULT_DETECT_PARAMS);
    profiles.forEach((p, i) => s.observe('1', i * intervalMin * MIN, p));
    sessions.push(s);
  }
  gc();
  const per = (process.memoryUsage().heapUsed - before) / sessions.length;
  return sessions.length > 0 ? per : NaN;
}

export function benchDetection(): string {
  const rows: (string | number)[][] = [];
  const inputs: [string, (i: number) => HeapProfile, number][] = [
    ['leak-unclassified-slow (real, 37 stacks)', pingPong(corpusSeries('leak-unclassified-slow')), 1],
    ['leak-duplicate-clients (real, 69 stacks)', pingPong(corpusSeries('leak-duplicate-clients')), 1],
    ['trap-netpoll-churn (real, 56 stacks)', pingPong(corpusSeries('trap-netpoll-churn')), 1],
    ['large.pb.gz varied (real, ~3,000 functions), 5-min interval', largeVaried(), 5],
  ];
  for (const [name, at, intervalMin] of inputs) {
    const { ms, session, points } = day(at, intervalMin);
    const b = session.budget();
    const heap = heapPerSession(at, intervalMin === 1 ? 120 : 40, intervalMin);
    rows.push([
      name,
      points,
      median(ms).toFixed(2),
      Math.max(...ms).toFixed(2),
      `${(b.fixedBytes / 1024).toFixed(0)} KiB`,
      b.trackedStacks,
      b.baselines,
      Number.isNaN(heap) ? 'run with --expose-gc' : `${(heap / 1024).toFixed(0)} KiB`,
    ]);
  }
  return table(
    ['series (24 h of history)', 'points', 'detection per scrape, ms (median of last 30)', 'max', 'fixed history', 'tracked stacks', 'stack baselines', 'JS heap per session'],
    rows,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`## Detection cost and memory (one target)\n\n${benchDetection()}\n`);
}
