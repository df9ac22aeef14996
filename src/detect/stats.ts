/**
 * Robust trend statistics. Pure functions on plain arrays.
 *
 * - Theil–Sen: the median of all pairwise slopes. Half the points can be
 *   outliers (a GC that happened to run mid-burst) before it moves.
 * - Mann–Kendall: a rank test for a monotonic trend, with the tie correction
 *   that sampled heap values need (they move in steps of the sampling rate,
 *   so equal values are common).
 */

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically without a comparator: several times faster.
  return medianOfSorted(Float64Array.from(values).sort());
}

function medianOfSorted(s: Float64Array): number {
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Theil–Sen slope (units of y per unit of x). NaN for fewer than two distinct x. */
export function theilSen(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes[k++] = (ys[j]! - ys[i]!) / dx;
    }
  }
  return medianOfSorted(slopes.subarray(0, k).sort());
}

export interface MannKendall {
  /** Sum of signs of all later-minus-earlier differences. */
  s: number;
  /** Normal approximation with continuity and tie correction. */
  z: number;
  /** One-sided p-value for an increasing trend. */
  pIncreasing: number;
}

export function mannKendall(ys: readonly number[]): MannKendall {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(ys[j]! - ys[i]!);
  }
  const ties = new Map<number, number>();
  for (const y of ys) ties.set(y, (ties.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = variance <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, z, pIncreasing: 1 - normalCdf(z) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
