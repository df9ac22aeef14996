/**
 * Detector settings and their defaults, designed for a 1-minute scrape
 * interval (the README's "Detection" section explains each). The config
 * file's `detect:` block overrides them; tests scale them down.
 */
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
