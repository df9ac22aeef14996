/**
 * Is this series growing, in a way that matters, and still growing now?
 *
 * Pure: times (ms) and values in, a verdict out. The checks, in order:
 * 1. enough history: at least `minPoints` points spanning `minWindowMs`;
 * 2. Mann–Kendall says the whole window trends up (p < maxPValue);
 * 3. the Theil–Sen growth over the window is at least `minGrowthBytes` and,
 *    when set (off by default: config/defaults.ts), `minGrowthRatio` of the
 *    process's heap (the engine also asks it to exceed the profiler's
 *    sampling error: sampling.ts);
 * 4. the floor rises in every segment: the medians of consecutive segments
 *    step up (a sawtooth's or a pool's floor does not; a one-time step moves
 *    only one boundary);
 * 5. the growth continues in the most recent segment at a good fraction of
 *    the overall rate and of the fastest earlier segment: a warm-up that
 *    flattens (fast fill, then a slow creep) is concave and fails here, where
 *    Mann–Kendall alone would still call it a trend. A segment's rate is
 *    its Theil–Sen slope, or its rise where sampling made it a staircase
 *    (stats.ts: stretchRate).
 */

import { mannKendall, median, stretchRate, theilSen } from './stats.js';

/** Thresholds of the trend checks above; the defaults are in params.ts. */
export interface TrendParams {
  /** Longest history looked at. */
  windowMs: number;
  /** Shortest history judged at all. */
  minWindowMs: number;
  minPoints: number;
  /** Segments for the floor and recency checks. */
  segments: number;
  /** Each segment's median must exceed the previous one by this fraction of the expected step. */
  minStepRatio: number;
  /** The last segment's own slope, as a fraction of the overall slope. */
  minRecentSlopeRatio: number;
  maxPValue: number;
  minGrowthBytes: number;
  minGrowthRatio: number;
}

/** Whether a series is growing, why not when not, and the figures behind it. */
export interface TrendVerdict {
  growing: boolean;
  /** Why not, when not growing (the first check that failed). */
  reason?: string;
  slopePerHour: number;
  /** Theil–Sen slope times the window span. */
  growthBytes: number;
  pValue: number;
  spanMs: number;
  points: number;
  /**
   * Not growing in a sustained way, but still rising ever more slowly: every
   * segment's floor is above the previous one, the latest segment still
   * rises, slower than an earlier one. A cache filling up (log-like, or
   * approaching its bound) looks like this.
   */
  slowing?: boolean;
  /**
   * The rate fell from each third of the window to the next, the last at
   * most 3/4 of the first: growth that keeps slowing down even when the
   * checks above pass (a log-like fill looks almost straight in a window).
   */
  decelerating?: boolean;
  /** The last third's rate fell below min_recent_slope_ratio of the fastest: every other check passed. */
  slowedDown?: boolean;
}

const HOUR = 3_600_000;

/**
 * `sustained`: all five checks (the default, for leaks).
 * `retained`: checks 1–3 and a floor that is higher at the end than at the
 * start, without the per-segment and recency checks. For pooled memory that
 * is kept in large, noisy steps (netpoll caching 8 MiB buffers) rather than
 * growing smoothly.
 */
export type TrendMode = 'sustained' | 'retained';

/**
 * Judges the trend of `values` at `times` (ascending). `heapBytes` is the
 * process's typical total inuse, for the relative-growth check.
 */
export function assessTrend(
  times: readonly number[],
  values: readonly number[],
  heapBytes: number,
  p: TrendParams,
  mode: TrendMode = 'sustained',
): TrendVerdict {
  const n = times.length;
  const spanMs = n > 0 ? times[n - 1]! - times[0]! : 0;
  const base = { slopePerHour: 0, growthBytes: 0, pValue: 1, spanMs, points: n };
  if (n < p.minPoints || spanMs < p.minWindowMs) return { ...base, growing: false, reason: 'not enough history' };

  // Hours relative to the first point keep the slope arithmetic well conditioned.
  const hours = times.map((t) => (t - times[0]!) / HOUR);
  const mk = mannKendall(values);
  // Most series have no trend: the rank test is cheaper than the slope.
  if (!(mk.pIncreasing < p.maxPValue)) return { ...base, pValue: mk.pIncreasing, growing: false, reason: 'no significant upward trend' };
  const slopePerHour = theilSen(hours, values);
  const growthBytes = slopePerHour * (spanMs / HOUR);
  const verdict = { ...base, slopePerHour, growthBytes, pValue: mk.pIncreasing };
  if (!(slopePerHour > 0)) return { ...verdict, growing: false, reason: 'no significant upward trend' };
  if (growthBytes < p.minGrowthBytes) return { ...verdict, growing: false, reason: 'growth below the absolute minimum' };
  if (growthBytes < p.minGrowthRatio * heapBytes) return { ...verdict, growing: false, reason: 'growth below the relative minimum' };

  const k = p.segments;
  const segLen = Math.floor(n / k);
  const medians: number[] = [];
  for (let s = 0; s < k; s++) {
    const from = s * segLen;
    const to = s === k - 1 ? n : from + segLen;
    medians.push(median(values.slice(from, to)));
  }
  const expectedStep = growthBytes / k;
  const segmentSlopes: number[] = [];
  for (let s = 0; s < k; s++) {
    const from = s * segLen;
    const to = s === k - 1 ? n : from + segLen;
    segmentSlopes.push(stretchRate(hours.slice(from, to), values.slice(from, to)));
  }
  const recent = segmentSlopes[k - 1]!;
  const fastestEarlier = Math.max(...segmentSlopes.slice(0, -1));
  const slowing = medians.every((m, s) => s === 0 || m > medians[s - 1]!) && recent > 0 && recent < fastestEarlier;
  const decelerating = recent > 0 && segmentSlopes.every((v, s) => s === 0 || v < segmentSlopes[s - 1]!) && recent <= DECELERATION * segmentSlopes[0]!;
  if (mode === 'retained') {
    const rise = medians[k - 1]! - medians[0]!;
    if (rise < p.minGrowthBytes) return { ...verdict, growing: false, reason: 'retained floor did not rise' };
    return { ...verdict, growing: true };
  }
  for (let s = 1; s < k; s++) {
    if (medians[s]! - medians[s - 1]! < p.minStepRatio * expectedStep) {
      return { ...verdict, growing: false, reason: `floor did not rise in segment ${s + 1} of ${k}`, slowing };
    }
  }
  if (!(recent >= p.minRecentSlopeRatio * Math.max(slopePerHour, fastestEarlier))) {
    return { ...verdict, growing: false, reason: 'growth has slowed down (warm-up?)', slowing, slowedDown: true };
  }
  return { ...verdict, growing: true, decelerating };
}

/** The last third's rate, as a share of the first's, below which steady slowing is a filling cache. */
const DECELERATION = 0.75;

/**
 * Where growth began, when a series was flat before it: the start of the
 * best least-squares fit of "flat, then a straight rise" (a hinge at one of
 * the points), among hinges that leave at least `minWindowMs` and
 * `minPoints` after them. 0 when a straight line from the first point fits
 * best. A leak that starts in an old process has a flat history before it;
 * judged over the whole window, that history dilutes the slope and fails the
 * per-third checks for far longer than `min_window`. Judged from its onset,
 * it is the same leak as one that started with the window. `hinges`: how
 * many onsets were tried, for the caller's multiple-testing correction (the
 * best of many sub-windows of pure noise trends by chance).
 */
export function growthOnset(times: readonly number[], values: readonly number[], p: Pick<TrendParams, 'minWindowMs' | 'minPoints'>): { index: number; hinges: number } {
  const n = times.length;
  const last = times[n - 1]!;
  let best = 0;
  let bestSse = Infinity;
  let k = 0;
  for (; k <= n - p.minPoints && last - times[k]! >= p.minWindowMs; k++) {
    let sx = 0;
    let sxx = 0;
    let sv = 0;
    let svv = 0;
    let sxv = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.max(0, times[i]! - times[k]!) / HOUR;
      const v = values[i]!;
      sx += x;
      sxx += x * x;
      sv += v;
      svv += v * v;
      sxv += x * v;
    }
    const cxx = sxx - (sx * sx) / n;
    const cxv = sxv - (sx * sv) / n;
    if (!(cxx > 0) || !(cxv > 0)) continue;
    const sse = svv - (sv * sv) / n - (cxv * cxv) / cxx;
    if (sse < bestSse) {
      bestSse = sse;
      best = k;
    }
  }
  return { index: best, hinges: k };
}
