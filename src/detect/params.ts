/**
 * Detector settings and their defaults. Every setting is a duration, a size
 * or a ratio, never a count of scrapes, so one set of defaults holds for any
 * scrape interval from 15 s to 5 min (the README's "Detection" section
 * explains each). The config file's `detect:` block overrides them; tests
 * scale them down.
 */
import type { Config } from '../config/schema.js';
import type { TrendParams } from './trend.js';

export interface DetectParams extends TrendParams {
  /**
   * Longer horizons judged besides `windowMs` (slow leaks show only over
   * hours). Each horizon keeps the same fixed number of buckets, so longer
   * ones are coarser and memory does not grow with the horizon.
   */
  horizonsMs: number[];
  /** Buckets per horizon (the resolution of each horizon's history). */
  bucketsPerHorizon: number;
  /** Stack series tracked per target: the fixed memory budget of detection. */
  maxTrackedStacks: number;
  /**
   * Process age below which growth is not yet told apart from a cache
   * warming up: it is reported as `info` (filling-cache) and escalates only
   * once growth continues past the warm-up.
   */
  warmupMs: number;
  /** The condition must hold this long before a finding is raised. */
  forMs: number;
  /** An open finding resolves after this long without growth. */
  resolveAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_DETECT_PARAMS: Readonly<DetectParams> = Object.freeze({
  windowMs: 2 * HOUR,
  minWindowMs: 25 * MINUTE,
  // A statistical floor, not a time: Mann–Kendall cannot reach p < 0.001
  // with fewer than 8 points. At a 5-minute interval it means 35 minutes.
  minPoints: 8,
  segments: 3,
  minStepRatio: 0.25,
  minRecentSlopeRatio: 0.35,
  maxPValue: 0.001,
  minGrowthBytes: 4 * 1024 * 1024,
  minGrowthRatio: 0.02,
  horizonsMs: [6 * HOUR, 24 * HOUR],
  bucketsPerHorizon: 120,
  maxTrackedStacks: 64,
  warmupMs: 60 * MINUTE,
  forMs: 10 * MINUTE,
  resolveAfterMs: 30 * MINUTE,
});

/** The config file's `detect:` block over the defaults. */
export function detectParamsFrom(d: Config['detect']): DetectParams {
  return {
    ...DEFAULT_DETECT_PARAMS,
    windowMs: d.window,
    minWindowMs: d.min_window,
    minPoints: d.min_points,
    forMs: d.for,
    resolveAfterMs: d.resolve_after,
    minGrowthBytes: d.min_growth_bytes,
    minGrowthRatio: d.min_growth_ratio,
    maxPValue: d.max_p_value,
    horizonsMs: [...d.horizons],
    warmupMs: d.warmup,
    maxTrackedStacks: d.max_tracked_stacks,
  };
}

/** Every horizon judged, shortest first: the window, then the longer ones. */
export function horizonsOf(p: Pick<DetectParams, 'windowMs' | 'horizonsMs'>): number[] {
  return [...new Set([p.windowMs, ...p.horizonsMs.filter((h) => h > p.windowMs)])].sort((a, b) => a - b);
}
