/**
 * Detector settings and their defaults. Every setting is a duration, a size
 * or a ratio, never a count of scrapes, so one set of defaults holds for any
 * scrape interval from 15 s to 5 min (the README's "Detection" section
 * explains each). The config file's `detect:` block overrides them; tests
 * scale them down.
 *
 * The defaults of the settings the config file can set are written once, in
 * config/defaults.ts; this file only adds the detector's internal constants.
 */
import { DEFAULTS } from '../config/defaults.js';
import type { Config, DetectOverrides } from '../config/schema.js';
import { parseBytes, parseDuration } from '../config/units.js';
import type { TrendParams } from './trend.js';

/** Everything the detector is tuned by: the trend test's parameters plus horizons, budget and timing. */
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
   * warming up: it is reported as `info` (cache-filling) and escalates only
   * once growth continues past the warm-up.
   */
  warmupMs: number;
  /** The condition must hold this long before a finding is raised. */
  forMs: number;
  /** An open finding resolves after this long without growth. */
  resolveAfterMs: number;
}

/** A default from config/defaults.ts as a number; a bad one is a programming error, so it throws. */
function defaultDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`config/defaults.ts: ${text} is not a duration`);
  return ms;
}

const D = DEFAULTS.detect;
const minGrowthBytes = parseBytes(D.min_growth_bytes);
if (minGrowthBytes === undefined) throw new Error(`config/defaults.ts: ${D.min_growth_bytes} is not a size`);

export const DEFAULT_DETECT_PARAMS: Readonly<DetectParams> = Object.freeze({
  windowMs: defaultDuration(D.window),
  minWindowMs: defaultDuration(D.min_window),
  minPoints: D.min_points,
  segments: 3,
  minStepRatio: 0.25,
  minRecentSlopeRatio: 0.35,
  maxPValue: D.max_p_value,
  minGrowthBytes,
  minGrowthRatio: D.min_growth_ratio,
  horizonsMs: D.horizons.map(defaultDuration),
  bucketsPerHorizon: 120,
  maxTrackedStacks: D.max_tracked_stacks,
  warmupMs: defaultDuration(D.warmup),
  forMs: defaultDuration(D.for),
  resolveAfterMs: defaultDuration(D.resolve_after),
});

/** The config file's `detect:` block over the defaults. */
export function detectParamsFrom(d: Config['detect']): DetectParams {
  return detectParamsOver(DEFAULT_DETECT_PARAMS, d);
}

/** Detector settings in the config file's terms over parameters already set: a target's `detect:` over the global block. */
export function detectParamsOver(base: DetectParams, d: DetectOverrides): DetectParams {
  const p = { ...base, horizonsMs: [...base.horizonsMs] };
  if (d.window !== undefined) p.windowMs = d.window;
  if (d.min_window !== undefined) p.minWindowMs = d.min_window;
  if (d.min_points !== undefined) p.minPoints = d.min_points;
  if (d.for !== undefined) p.forMs = d.for;
  if (d.resolve_after !== undefined) p.resolveAfterMs = d.resolve_after;
  if (d.min_growth_bytes !== undefined) p.minGrowthBytes = d.min_growth_bytes;
  if (d.min_growth_ratio !== undefined) p.minGrowthRatio = d.min_growth_ratio;
  if (d.max_p_value !== undefined) p.maxPValue = d.max_p_value;
  if (d.horizons !== undefined) p.horizonsMs = [...d.horizons];
  if (d.warmup !== undefined) p.warmupMs = d.warmup;
  if (d.max_tracked_stacks !== undefined) p.maxTrackedStacks = d.max_tracked_stacks;
  return p;
}

/** Every horizon judged, shortest first: the window, then the longer ones. */
export function horizonsOf(p: Pick<DetectParams, 'windowMs' | 'horizonsMs'>): number[] {
  return [...new Set([p.windowMs, ...p.horizonsMs.filter((h) => h > p.windowMs)])].sort((a, b) => a - b);
}
