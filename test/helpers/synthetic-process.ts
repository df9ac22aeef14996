/**
 * Synthetic Go processes for detection tests: the honest way to test the
 * math (exact rates, ages and intervals). A process is a set of allocation
 * sites, each with its inuse bytes and its allocation rate as functions of
 * the process's age in minutes, plus a noisy 100 MB background. Sampling
 * noise is ±2% per site.
 */
import { HEAP_SAMPLE_INDEXES, packStacks, type HeapProfile } from '../../src/pprof/profile.js';
import { seededRandom } from './random.js';

export const MIN = 60_000;
export const MB = 1e6;

export interface Site {
  fn: string;
  /** The callers of `fn`, nearest first (default: main.main only). */
  callers?: string[];
  /** Inuse bytes at age `m` minutes. */
  inuse: (m: number) => number;
  /** Bytes allocated per minute at age `m`. */
  allocPerMin: (m: number) => number;
}

const background: Site[] = [
  { fn: 'main.(*ballast).refill', inuse: () => 100 * MB, allocPerMin: () => 20 * MB },
  { fn: 'main.handleRequest', inuse: () => 2 * MB, allocPerMin: () => 600 * MB },
];

/** The profile of a process `age` minutes old; alloc counters integrate each site's rate from age 0. */
export function profileAt(sites: Site[], age: number, rand: () => number, timeMs: number): HeapProfile {
  const all = [...background, ...sites];
  const names = [...new Set([...all.flatMap((s) => [s.fn, ...(s.callers ?? [])]), 'main.main'])];
  const functions = names.map((name) => ({ name, filename: 'main.go' }));
  const stacks = all.map((s) => {
    let alloc = 0;
    for (let m = 0; m < age; m++) alloc += s.allocPerMin(m);
    const noise = s.fn.startsWith('main.(*ballast)') ? 0.9 + 0.2 * rand() : 0.98 + 0.04 * rand();
    const inuse = Math.max(0, s.inuse(age)) * noise;
    const frames = [s.fn, ...(s.callers ?? []), 'main.main'].map((name) => names.indexOf(name));
    return { frames, values: [alloc / 1024, alloc, inuse / 1024, inuse] };
  });
  const totals = [0, 1, 2, 3].map((j) => stacks.reduce((n, s) => n + s.values[j]!, 0));
  return {
    timeMs,
    durationNanos: 0,
    period: 524288,
    sampleTypes: HEAP_SAMPLE_INDEXES.map((type) => ({ type, unit: type.endsWith('space') ? 'bytes' : 'count' })),
    functions,
    stacks: packStacks(stacks, 4),
    buildId: 'b1',
    modules: [],
    totals,
  };
}

/** A leak that keeps all it allocates, at `mbPerHour(age)`, from age `from` (minutes) on. */
export function keeping(fn: string, mbPerHour: (m: number) => number, from = 0): Site {
  return {
    fn,
    inuse: (m) => {
      let kept = 0;
      for (let x = from; x < m; x++) kept += (mbPerHour(x) * MB) / 60;
      return kept;
    },
    allocPerMin: (m) => (mbPerHour(m) * MB) / 60,
  };
}

/** Grows from age `from` (minutes) on. */
export const linear = (mbPerHour: number, from = 0) => (m: number) => Math.max(0, m - from) * (mbPerHour * MB / 60);
export const steady = (mbPerMin: number) => () => mbPerMin * MB;

/**
 * `inuse` as the heap profiler reads it at Go's default sampling period:
 * each byte that grows is drawn once, with variance `period` per byte (small
 * objects), and its error stays while it lives. So the error is a random
 * walk over the growth, seeded: the regime of the real corpus, where a
 * window of a cache's slow tail reads as straight as a leak. Call it on
 * minutes in increasing order (as a run scrapes).
 */
export function sampled(inuse: (m: number) => number, seed: number, periodBytes = 524288): (m: number) => number {
  const rand = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const read = new Map<number, number>();
  let level = 0;
  let error = 0;
  return (m) => {
    let v = read.get(m);
    if (v === undefined) {
      const now = inuse(m);
      error += Math.sqrt(Math.max(0, now - level) * periodBytes) * gauss();
      level = Math.max(level, now);
      v = now + error;
      read.set(m, v);
    }
    return v;
  };
}
