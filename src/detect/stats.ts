/**
 * Robust trend statistics. Pure functions on plain arrays.
 *
 * - Theil–Sen: the median of all pairwise slopes. Half the points can be
 *   outliers (a GC that happened to run mid-burst) before it moves.
 * - Mann–Kendall: a rank test for a monotonic trend, with the tie correction
 *   that sampled heap values need (they move in steps of the sampling rate,
 *   so equal values are common). Short series get the exact p-value, ties
 *   included, instead of the normal approximation, which is too cautious in
 *   the far tail of few points: a quiet service's rare GCs give few changed
 *   profiles, and 7 strictly rising ones are p = 1/7! = 0.0002 exactly, but
 *   0.0013 by the approximation.
 */

export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}

/**
 * The median of `a`, reordering it: a selection (Hoare's quickselect,
 * median-of-three pivots) instead of a sort. Theil–Sen takes the median of
 * n(n-1)/2 slopes (7,140 for 120 points); selecting it is linear on average
 * where sorting is n log n, and it was most of detection's time.
 */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  const upper = select(a, mid);
  if (n % 2) return upper;
  // Everything before `mid` is <= a[mid] now: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** Reorders `a` so that a[k] is its k-th smallest, smaller ones before it, larger after; returns a[k]. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const m = (lo + hi) >> 1;
    // Median of three as the pivot, moved to a[lo].
    if (a[m]! < a[lo]!) swap(a, m, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[m]!) swap(a, hi, m);
    swap(a, lo, m);
    const pivot = a[lo]!;
    let i = lo;
    let j = hi + 1;
    for (;;) {
      do i++; while (i <= hi && a[i]! < pivot);
      do j--; while (a[j]! > pivot);
      if (i >= j) break;
      swap(a, i, j);
    }
    swap(a, lo, j);
    if (j === k) return a[k]!;
    if (j < k) lo = j + 1;
    else hi = j - 1;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** The slope of every pair of points with distinct x (unordered; a fresh array the caller may reorder). */
function pairwiseSlopes(xs: readonly number[], ys: readonly number[]): Float64Array {
  const n = xs.length;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = xs[j]! - xs[i]!;
      if (dx !== 0) slopes[k++] = (ys[j]! - ys[i]!) / dx;
    }
  }
  return slopes.subarray(0, k);
}

/** Theil–Sen slope (units of y per unit of x). NaN for fewer than two distinct x. */
export function theilSen(xs: readonly number[], ys: readonly number[]): number {
  return medianInPlace(pairwiseSlopes(xs, ys));
}

/**
 * The rate of a stretch of a site's series: Theil–Sen, unless tied values
 * make up half its pairs or more. Then the median pairwise slope is one of
 * the ties' zeros, whatever the rise. A site of few sampled objects reads
 * as a staircase (each object stands for ~MemProfileRate bytes): a stretch
 * of 40 points with one step after its 30th has 480 of its 780 pairs tied.
 * There the rise between the medians of its first and last quarter, over
 * the time between them, measures what it grew (noisier than Theil–Sen, so
 * only where Theil–Sen breaks down).
 */
export function stretchRate(xs: readonly number[], ys: readonly number[]): number {
  if (!tiesDominate(ys)) return theilSen(xs, ys);
  const n = xs.length;
  const q = Math.max(2, Math.floor(n / 4));
  const dx = median(xs.slice(n - q)) - median(xs.slice(0, q));
  return dx > 0 ? (median(ys.slice(n - q)) - median(ys.slice(0, q))) / dx : theilSen(xs, ys);
}

/** Whether equal values make up at least half of all pairs of `ys`. */
function tiesDominate(ys: readonly number[]): boolean {
  const counts = new Map<number, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  let tied = 0;
  for (const c of counts.values()) tied += (c * (c - 1)) / 2;
  return 2 * tied >= (ys.length * (ys.length - 1)) / 2;
}

/** The Mann–Kendall statistic of a series and its p-value for an increasing trend. */
export interface MannKendall {
  /** Sum of signs of all later-minus-earlier differences. */
  s: number;
  /** Normal approximation with continuity and tie correction. */
  z: number;
  /** One-sided p-value for an increasing trend: exact for up to EXACT_MAX_POINTS points. */
  pIncreasing: number;
}

export function mannKendall(ys: readonly number[]): MannKendall {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) s += Math.sign(ys[j]! - ys[i]!);
  }
  const variance = kendallVariance(ys);
  const z = variance <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, z, pIncreasing: n <= EXACT_MAX_POINTS ? exactUpperTail(ys, s) : 1 - normalCdf(z) };
}

/**
 * Up to this many points, the p-value is S's exact distribution over every
 * ordering of the values (with their ties). From about 10 points on, the
 * normal approximation is the textbook's (Kendall 1975) choice.
 */
const EXACT_MAX_POINTS = 10;

/**
 * P(S >= s) when every distinct ordering of `ys`' values (a multiset: ties
 * are common in sampled heap values) is equally likely. Place the values
 * group by group, equal values together, each group above all before it:
 * a group of t placed among the m values already there adds one discordant
 * pair for each (new, old) pair with the new one earlier, and over the ways
 * to place it those counts follow the Gaussian binomial [m+t choose t]. The
 * discordant count D is their sum (independent), and S = pairs - 2D, where
 * `pairs` counts the pairs of unequal values. (The product, a Gaussian
 * multinomial, does not depend on the order the groups are taken in.)
 */
function exactUpperTail(ys: readonly number[], s: number): number {
  const groups = new Map<number, number>();
  for (const y of ys) groups.set(y, (groups.get(y) ?? 0) + 1);
  let discordant = [1];
  let placed = 0;
  let pairs = 0;
  for (const t of groups.values()) {
    discordant = convolve(discordant, gaussianBinomial(placed + t, t));
    pairs += placed * t;
    placed += t;
  }
  // S >= s  <=>  D <= (pairs - s) / 2.
  const maxDiscordant = Math.floor((pairs - s) / 2);
  let p = 0;
  for (let d = 0; d <= maxDiscordant && d < discordant.length; d++) p += discordant[d]!;
  return Math.min(1, p);
}

/**
 * Over the C(n, k) ways to place k equal new values among n - k old ones
 * (kept in their order), how often each count 0..k(n-k) of (new, old) pairs
 * with the new one earlier occurs, as probabilities: the coefficients of the
 * Gaussian binomial [n choose k]. Pascal's rule, on the last position: a new
 * value there adds no pair, an old one adds one per new value before it,
 * [n, k] = [n-1, k-1] + q^k [n-1, k].
 */
function gaussianBinomial(n: number, k: number): readonly number[] {
  const key = n * (EXACT_MAX_POINTS + 1) + k;
  let known = gaussianBinomials.get(key);
  if (!known) gaussianBinomials.set(key, (known = buildGaussianBinomial(n, k)));
  return known;
}

/**
 * The distributions already built, by (n, k): short series are judged on
 * every scrape (a young epoch, the few points past a warm-up), and n <= 10
 * leaves at most 66 of them.
 */
const gaussianBinomials = new Map<number, readonly number[]>();

function buildGaussianBinomial(n: number, k: number): number[] {
  // row[j] holds [i choose j]'s coefficients (counts) for the current i.
  let row: number[][] = [[1]];
  for (let i = 1; i <= n; i++) {
    const next: number[][] = [];
    for (let j = 0; j <= Math.min(i, k); j++) {
      const coefficients = new Array<number>(j * (i - j) + 1).fill(0);
      const withLast = j > 0 ? row[j - 1]! : undefined;
      const withoutLast = j < i ? row[j] : undefined;
      withLast?.forEach((c, d) => (coefficients[d] = coefficients[d]! + c));
      withoutLast?.forEach((c, d) => (coefficients[d + j] = coefficients[d + j]! + c));
      next.push(coefficients);
    }
    row = next;
  }
  const counts = row[k]!;
  const total = counts.reduce((x, y) => x + y, 0);
  return counts.map((c) => c / total);
}

function convolve(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] = out[i + j]! + a[i]! * b[j]!;
  return out;
}

/** Variance of Mann–Kendall's S under no trend, with the tie correction. */
function kendallVariance(ys: readonly number[]): number {
  const n = ys.length;
  const ties = new Map<number, number>();
  for (const y of ys) ties.set(y, (ties.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  return (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
}

export interface SlopeInterval {
  slope: number;
  lower: number;
  upper: number;
}

/**
 * Sen's (1968) distribution-free confidence interval of the Theil–Sen slope:
 * the pairwise slopes ranked (N - C)/2 and (N + C)/2 + 1, with
 * C = z * sqrt(Var S) from Mann–Kendall's variance. `z` is the normal
 * quantile of the two-sided level (1.96 for 95 %). Needs at least 3 points;
 * with too few for the level, the interval is every slope seen.
 */
export function senSlopeInterval(xs: readonly number[], ys: readonly number[], z: number): SlopeInterval {
  const sorted = pairwiseSlopes(xs, ys).sort();
  const k = sorted.length;
  if (k === 0) return { slope: NaN, lower: NaN, upper: NaN };
  const c = z * Math.sqrt(kendallVariance(ys));
  const lo = Math.max(0, Math.floor((k - c) / 2) - 1);
  const hi = Math.min(k - 1, Math.ceil((k + c) / 2));
  const mid = k >> 1;
  const slope = k % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { slope, lower: sorted[lo]!, upper: sorted[hi]! };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The z with normalCdf(z) = 1 - p (one-sided upper quantile), by bisection; p in (0, 1). */
export function upperNormalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (1 - normalCdf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
