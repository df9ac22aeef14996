/**
 * Detector settings and their defaults, designed for a 1-minute scrape
 * interval (the README's "Detection" section explains each). The config
 * file's `detect:` block overrides them; tests scale them down.
 */
import type { Config } from '../config/schema.js';
import type { TrendParams } from './trend.js';

export interface DetectParams extends TrendParams {
  /** The condition must hold this long before a finding is raised. */
  forMs: number;
  /** An open finding resolves after this long without growth. */
  resolveAfterMs: number;
}

export const DEFAULT_DETECT_PARAMS: Readonly<DetectParams> = Object.freeze({
  windowMs: 2 * 3_600_000,
  minWindowMs: 30 * 60_000,
  minPoints: 20,
  segments: 3,
  minStepRatio: 0.25,
  minRecentSlopeRatio: 0.35,
  maxPValue: 0.001,
  minGrowthBytes: 4 * 1024 * 1024,
  minGrowthRatio: 0.02,
  forMs: 15 * 60_000,
  resolveAfterMs: 30 * 60_000,
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
  };
}
