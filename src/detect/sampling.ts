/**
 * Is a site's growth larger than the heap profiler's own sampling error?
 * Pure.
 *
 * Go's heap profile does not count every object: it samples about one per
 * `period` allocated bytes (runtime.MemProfileRate, 512 KiB by default) and
 * scales each sampled object up by 1/p, p = 1 - exp(-size/period). So a
 * site's inuse is an estimate whose variance, per byte of live objects of
 * mean size s, is
 *
 *     v(s) = s (1 - p) / p = period * x / (e^x - 1),  x = s / period
 *
 * (at most `period`, for small objects; near 0 for objects far above it).
 *
 * The error is not independent from one profile to the next: a sampled
 * object stays in every profile until it is freed. Objects that live for
 * seconds (in-flight requests) are re-drawn at every scrape, and a trend
 * test averages their error away. Objects that live for an hour (a working
 * set replaced slowly, a cache's entries) carry the same error through
 * every profile of that hour, and their estimate drifts slowly: recorded,
 * an 80 MiB working set of 16-512 KiB chunks that never grew read 75 MiB,
 * then 91 MiB two hours later, trending "significantly" to Mann–Kendall,
 * which assumes independent points.
 *
 * How long bytes live follows from what the site holds and frees (Little's
 * law: mean lifetime = inuse / rate freed), so the number of independent
 * draws of the replaced level within a window is known, and so is the error
 * that sampling alone gives the window's growth when nothing grew: the
 * error of a slope fitted through that many draws of the replaced level.
 * (The error of truly new objects only blurs how much grew, not
 * whether: a site that allocates nothing new cannot read as growing.)
 *
 * Not told apart here: a site that both keeps objects for good and frees
 * young ones (a leak of request fields) has the mean lifetime of the
 * mixture, so its freed bytes are charged to the held level as if old. So
 * this check judges the whole window, where such leaks have grown well past
 * it. The few points after the warm-up are asked only what the site
 * replaced beyond the share it kept before (confirm.ts:
 * grewBeyondReplacedError): charged all it freed, two Kitex field leaks of
 * the corpus were held back 11 and 64 minutes and a third was lost.
 */

import { median } from './stats.js';

/** Go's default runtime.MemProfileRate, when a history does not carry its profiles' period. */
export const GO_DEFAULT_SAMPLING_PERIOD = 512 * 1024;

/** One site over the window it was judged on. */
export interface SampledGrowth {
  /** The window's span (ms) and its number of points. */
  spanMs: number;
  points: number;
  /** The site's inuse at the start of the window (the level that was there before the growth). */
  baseBytes: number;
  /** The growth over the window (Theil–Sen). */
  growthBytes: number;
  /** Bytes the site allocated in the window; undefined when no alloc samples were seen. */
  allocatedBytes: number | undefined;
  /** Mean size of the site's live objects. */
  meanObjectBytes: number | undefined;
  /** The profile's sampling period (bytes). */
  periodBytes: number;
}

/** A site's points over a window, with what their sampling error depends on. */
export interface SampledSite {
  times: readonly number[];
  sum: readonly number[];
  /** Bytes allocated in the interval ending at each point (the first is not in the window). */
  allocs: readonly number[];
  meanObjectBytes: number | undefined;
  periodBytes: number;
}

/** The site's growth over its window (`growthBytes`), as exceedsSamplingError judges it. */
export function sampledGrowth(site: SampledSite, growthBytes: number): SampledGrowth {
  const { sum } = site;
  let allocated = 0;
  for (let i = 1; i < site.allocs.length; i++) allocated += site.allocs[i]!;
  return {
    spanMs: site.times.at(-1)! - site.times[0]!,
    points: sum.length,
    // The level before the growth, from the first tenth (one point is one draw of its error).
    baseBytes: median(sum.slice(0, Math.max(3, Math.floor(sum.length / 10)))),
    growthBytes,
    allocatedBytes: allocated > 0 ? allocated : undefined,
    meanObjectBytes: site.meanObjectBytes,
    periodBytes: site.periodBytes,
  };
}

/** Variance of the sampled estimate per live byte, for objects of mean size `s`. */
export function variancePerByte(meanObjectBytes: number | undefined, periodBytes: number): number {
  if (!(periodBytes > 1)) return 0; // MemProfileRate = 1: every allocation is recorded
  if (meanObjectBytes === undefined || !(meanObjectBytes > 0)) return periodBytes;
  const x = meanObjectBytes / periodBytes;
  return x < 1e-9 ? periodBytes : (periodBytes * x) / Math.expm1(x);
}

/** Standard error (bytes) of a window's growth that comes from sampling alone. */
export function samplingError(g: SampledGrowth): number {
  const v = variancePerByte(g.meanObjectBytes, g.periodBytes);
  const base = Math.max(0, g.baseBytes);
  const growth = Math.max(0, g.growthBytes);
  // Objects held through the whole window carry the same error at both ends:
  // it cancels in the growth. What the window freed (allocated minus kept)
  // was replaced by a new draw; of the level, at most that much.
  const freed = g.allocatedBytes === undefined ? Infinity : Math.max(0, g.allocatedBytes - growth);
  const replaced = Math.min(base, freed);
  // The replaced level's error decorrelates as it is replaced, as
  // exp(-t / lifetime) (Little's law: lifetime = level / rate freed): over
  // the window it is m = T / (2 lifetime) independent draws (at most one per
  // point, at least the two at the window's ends).
  const lifetimeMs = Number.isFinite(freed) && freed > 0 && g.spanMs > 0 ? base / (freed / g.spanMs) : Infinity;
  const m = Math.max(2, Math.min(g.points, g.spanMs / (2 * lifetimeMs)));
  return Math.sqrt(v * replaced * slopeVarianceFactor(m));
}

/**
 * The variance of a slope fitted to m equally spaced points of unit
 * variance, times the span squared: what a window's growth (its slope times
 * its span) owes to noise. 2 for the two ends alone (their difference), 12/m
 * for many. The growth is a slope over the whole window, so its error is
 * this, not the error of the difference of the two halves' means (half as
 * large as the growth for a straight rise).
 */
export function slopeVarianceFactor(m: number): number {
  return (12 * (m - 1)) / (m * (m + 1));
}

/**
 * Whether the growth is more than sampling error can explain, at the
 * detector's own significance: `z` is the one-sided normal quantile of
 * max_p_value (3.09 for 0.001), so this test is as strict as Mann–Kendall's,
 * which judges the order of the points and assumes their errors independent.
 */
export function exceedsSamplingError(g: SampledGrowth, z: number): boolean {
  return g.growthBytes > z * samplingError(g);
}

/**
 * Whether growth slowed down by more than the profiler's sampling error can
 * explain: the rate over the first third of the points against the last
 * third's, each a rise of kept bytes whose sampled estimate has variance
 * `variancePerByte` times the rise. One-sided at `z`. A leak's steady rise,
 * read through 512 KiB sampling, often has a last third slower than its
 * first by a quarter (18 samples a third at 47 MB/h: a standard deviation of
 * ~23%), which alone is no evidence of a cache filling up.
 */
export function slowsBeyondSamplingError(times: readonly number[], values: readonly number[], bytesVariance: number, z: number): boolean {
  const n = times.length;
  const third = Math.floor(n / 3);
  if (third < 1) return false;
  const hours = (from: number, to: number): number => (times[to]! - times[from]!) / 3_600_000;
  const rise = (from: number, to: number): number => Math.max(0, values[to]! - values[from]!);
  const [h1, h3] = [hours(0, third), hours(n - 1 - third, n - 1)];
  if (!(h1 > 0 && h3 > 0)) return false;
  const [r1, r3] = [rise(0, third), rise(n - 1 - third, n - 1)];
  const sd = Math.sqrt((bytesVariance * r1) / (h1 * h1) + (bytesVariance * r3) / (h3 * h3));
  return r1 / h1 - r3 / h3 > z * sd;
}

/**
 * Variance per byte of a site's sampled growth when the objects themselves
 * arrive at random (a Poisson stream of objects of mean size `s`): the
 * sampling error of variancePerByte plus the arrival's own, `s` per byte.
 * Their sum, period·x·e^x/(e^x − 1) with x = s/period, is the variance of a
 * compound Poisson stream that records each object with probability
 * 1 − e^−x at s/(1 − e^−x) bytes: `period` for small objects, `s` for
 * objects far above it, and `s` when every allocation is recorded.
 */
export function arrivalVariancePerByte(meanObjectBytes: number | undefined, periodBytes: number): number {
  return Math.max(1, variancePerByte(meanObjectBytes, periodBytes) + (meanObjectBytes ?? 0));
}

/**
 * Whether the rate at which a site gains bytes fell over its points, beyond
 * chance at the one-sided normal quantile `z`: the Laplace test for a trend
 * in the rate of a Poisson stream (Cox & Lewis 1966), on grouped data. Each
 * point's rise is placed at the middle of its interval; under a steady rate
 * the bytes' mean arrival time is the middle of the span, T/2, with variance
 * v·T²/(12·D) for D bytes gained at v variance per byte. A filling cache
 * gains its bytes early, a leak at a steady rate evenly. The test weighs
 * every point, where the thirds' slopes (trend.ts: decelerating) see only
 * each third's ends, and a slow fill's slowing drowns in their noise for
 * hours.
 *
 * `bytesVariance` is the model's variance per byte (arrivalVariancePerByte).
 * Traffic is burstier than Poisson (a batch, a retry storm), so the variance
 * is raised to the dispersion the rises show around a steady rate where
 * that is larger (quasi-Poisson: their Pearson χ² over its degrees of
 * freedom). Only rises and falls between points count; a site that also
 * frees is judged on its net gain.
 */
export function rateFallsBeyondSamplingError(times: readonly number[], values: readonly number[], bytesVariance: number, z: number): boolean {
  const n = times.length;
  if (n < 4) return false;
  const span = times[n - 1]! - times[0]!;
  let gained = 0;
  let weighted = 0;
  for (let i = 1; i < n; i++) {
    const rise = values[i]! - values[i - 1]!;
    gained += rise;
    weighted += rise * ((times[i]! + times[i - 1]!) / 2 - times[0]!);
  }
  if (!(gained > 0) || !(span > 0)) return false;
  const variance = Math.max(bytesVariance, risesDispersion(times, values));
  const meanArrival = weighted / gained;
  return meanArrival - span / 2 < -z * span * Math.sqrt(variance / (12 * gained));
}

/**
 * How much more the rises between points scatter than a steady Poisson
 * stream's would, in bytes (variance per byte of growth): their Pearson χ²
 * around the steady rate over its degrees of freedom (quasi-Poisson). A
 * leak read through the profiler's sampling scatters by about the sampling
 * period; one that keeps 4 MB at once on rare errors, by about 4 MB. 0 when
 * the points gained nothing or are too few to tell.
 */
export function risesDispersion(times: readonly number[], values: readonly number[]): number {
  const n = times.length;
  if (n < 4) return 0;
  const span = times[n - 1]! - times[0]!;
  const gained = values[n - 1]! - values[0]!;
  if (!(gained > 0) || !(span > 0)) return 0;
  let chiSquare = 0;
  let intervals = 0;
  for (let i = 1; i < n; i++) {
    const expected = (gained * (times[i]! - times[i - 1]!)) / span;
    if (!(expected > 0)) continue;
    chiSquare += (values[i]! - values[i - 1]! - expected) ** 2 / expected;
    intervals++;
  }
  return intervals > 2 ? chiSquare / (intervals - 2) : 0;
}
