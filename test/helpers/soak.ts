/**
 * Soak: the daemon (observeDaemon) scrapes a simulated fleet for a fixed
 * number of scrape cycles; after a warm-up, heapwatch's own trend detector
 * (assessTrend) plus a median-ratio cross-check judge whether its memory is
 * flat. Never judges absolute timings. Used by test/soak.test.ts and by the
 * long-run command bench/soak.ts.
 */
import { DEFAULT_DETECT_PARAMS } from '../../src/detect/params.js';
import { median } from '../../src/detect/stats.js';
import { assessTrend, type TrendParams, type TrendVerdict } from '../../src/detect/trend.js';
import { startFleet } from './fleet.js';
import { observeDaemon } from './observe-daemon.js';

const MiB = 1024 * 1024;

export interface SoakOptions {
  targets: number;
  intervalS: number;
  cycles: number;
  maxConcurrentScrapes?: number;
  /** Fraction of the samples ignored as warm-up (default 0.2). */
  warmup?: number;
  /** assessTrend's minGrowthBytes (default 16 MiB). */
  minGrowthBytes?: number;
  /**
   * The daemon's detect.window. Each target's detection session keeps up to
   * window ÷ 60 s points (the corpus profiles are a minute apart) of per-stack
   * values: a bounded warm-up of window ÷ 60 s scrapes per target that a short
   * soak must get past before memory can be flat. Default: the daemon's (2h).
   */
  detectWindow?: string;
  /** Judge retained memory: a full GC in the daemon every second (observeDaemon's forceGc). */
  forceGc?: boolean;
  /** A leak planted in the daemon (observeDaemon's plantLeak): the soak's negative control. */
  plantLeak?: boolean;
  progress?: (line: string) => void;
}

export interface MemoryFigures {
  start: number;
  /** Median of the samples after warm-up. */
  median: number;
  /** Median of 20–40 % of the samples. */
  earlyMedian: number;
  /** Median of the last 20 %. */
  lateMedian: number;
  /** lateMedian / earlyMedian. */
  ratio: number;
  end: number;
  max: number;
  trend: TrendVerdict;
}

export type SoakVerdict = 'flat' | 'suspect' | 'growing' | 'insufficient';

export interface SoakResult {
  targets: number;
  intervalS: number;
  cycles: number;
  samples: number;
  wallS: number;
  scrapesOk: number;
  scrapesStale: number;
  scrapesError: number;
  skipped: number;
  rss: MemoryFigures;
  heap: MemoryFigures;
  trendParams: TrendParams;
  /**
   * growing: assessTrend calls RSS or heap growing; suspect: not growing but a
   * late/early median ratio above 1.2; insufficient: too few samples to judge.
   */
  verdict: SoakVerdict;
  loadavg: { start: number; end: number };
  logTail: string;
  /** The sampled series (s since the first sample, bytes). */
  series: { t: number; rss: number; heap: number }[];
}

/** DEFAULT_DETECT_PARAMS rescaled from a 1-minute interval over hours to 1 s samples over this run. */
export function soakTrendParams(plannedPoints: number, plannedSpanMs: number, minGrowthBytes: number): TrendParams {
  return {
    ...DEFAULT_DETECT_PARAMS,
    windowMs: Number.MAX_SAFE_INTEGER,
    minWindowMs: plannedSpanMs * 0.5,
    minPoints: Math.max(10, Math.floor(plannedPoints * 0.5)),
    minGrowthBytes,
  };
}

function slice(values: readonly number[], from: number, to: number): number[] {
  const n = values.length;
  return values.slice(Math.floor(n * from), Math.max(Math.floor(n * from) + 1, Math.floor(n * to)));
}

function memoryFigures(times: readonly number[], values: readonly number[], warm: number, params: TrendParams): MemoryFigures {
  const after = values.slice(warm);
  const earlyMedian = median(slice(values, 0.2, 0.4));
  const lateMedian = median(slice(values, 0.8, 1));
  const med = median(after);
  return {
    start: values[0] ?? NaN,
    median: med,
    earlyMedian,
    lateMedian,
    ratio: lateMedian / earlyMedian,
    end: values.at(-1) ?? NaN,
    max: Math.max(...values),
    trend: assessTrend(times.slice(warm), after, med, params),
  };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const fleet = await startFleet({
    targets: opts.targets,
    interval: `${opts.intervalS}s`,
    maxConcurrentScrapes: opts.maxConcurrentScrapes,
    extra: opts.detectWindow ? { detect: { window: opts.detectWindow, min_window: opts.detectWindow, min_points: 5 } } : undefined,
  });
  try {
    const obs = await observeDaemon({ fleet, intervalS: opts.intervalS, cycles: opts.cycles, forceGc: opts.forceGc, plantLeak: opts.plantLeak, progress: opts.progress });
    const s = obs.samples.filter((x) => Number.isFinite(x.rss) && Number.isFinite(x.heapUsed));
    const warmupShare = opts.warmup ?? 0.2;
    const warm = Math.floor(s.length * warmupShare);
    const plannedPoints = Math.ceil(opts.cycles * opts.intervalS) * (1 - warmupShare);
    const params = soakTrendParams(plannedPoints, plannedPoints * 1000, opts.minGrowthBytes ?? 16 * MiB);
    const times = s.map((x) => x.t);
    const rss = memoryFigures(
      times,
      s.map((x) => x.rss),
      warm,
      params,
    );
    const heap = memoryFigures(
      times,
      s.map((x) => x.heapUsed),
      warm,
      params,
    );
    const last = s.at(-1);
    let verdict: SoakVerdict = 'flat';
    if (rss.trend.growing || heap.trend.growing) verdict = 'growing';
    else if (rss.trend.reason === 'not enough history' || heap.trend.reason === 'not enough history') verdict = 'insufficient';
    else if (rss.ratio > 1.2 || heap.ratio > 1.2) verdict = 'suspect';
    return {
      targets: opts.targets,
      intervalS: opts.intervalS,
      cycles: opts.cycles,
      samples: s.length,
      wallS: (last?.t ?? 0) / 1000,
      scrapesOk: last?.ok ?? 0,
      scrapesStale: last?.stale ?? 0,
      scrapesError: last?.error ?? 0,
      skipped: last?.skipped ?? 0,
      rss,
      heap,
      trendParams: params,
      verdict,
      loadavg: obs.loadavg,
      logTail: obs.logTail,
      series: s.map((x) => ({ t: x.t / 1000, rss: x.rss, heap: x.heapUsed })),
    };
  } finally {
    await fleet.close();
  }
}

const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;

/** A markdown table of a soak result. */
export function formatSoak(r: SoakResult): string {
  const trend = (t: TrendVerdict): string =>
    `${t.growing ? 'growing' : `not growing (${t.reason})`}, ${mib(t.growthBytes)} over ${(t.spanMs / 1000).toFixed(0)} s, p=${t.pValue.toExponential(1)}`;
  const rows: [string, string][] = [
    ['cycles × interval', `${r.cycles} × ${r.intervalS} s (${r.wallS.toFixed(0)} s sampled, ${r.samples} samples)`],
    ['targets', String(r.targets)],
    ['scrapes ok / stale / error', `${r.scrapesOk} / ${r.scrapesStale} / ${r.scrapesError} (expected ≈ ${Math.round((r.targets * r.wallS) / r.intervalS)})`],
    ['skipped slots', String(r.skipped)],
    ['RSS start / median (after warm-up) / end / max', `${mib(r.rss.start)} / ${mib(r.rss.median)} / ${mib(r.rss.end)} / ${mib(r.rss.max)}`],
    ['RSS median last 20 % ÷ median 20–40 %', r.rss.ratio.toFixed(3)],
    ['RSS trend (assessTrend)', trend(r.rss.trend)],
    ['heap start / median / end', `${mib(r.heap.start)} / ${mib(r.heap.median)} / ${mib(r.heap.end)}`],
    ['heap median last 20 % ÷ median 20–40 %', r.heap.ratio.toFixed(3)],
    ['heap trend (assessTrend)', trend(r.heap.trend)],
    ['growth verdict', r.verdict],
    ['load average (1 min) start / end', `${r.loadavg.start.toFixed(2)} / ${r.loadavg.end.toFixed(2)}`],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** The series as `t rss heap` lines in MiB, every `step`-th sample (for a failure message or a plot). */
export function formatSeries(r: SoakResult, step = 1): string {
  return r.series
    .filter((_, i) => i % step === 0 || i === r.series.length - 1)
    .map((x) => `${x.t.toFixed(0)}s ${(x.rss / MiB).toFixed(1)} ${(x.heap / MiB).toFixed(1)}`)
    .join('\n');
}
