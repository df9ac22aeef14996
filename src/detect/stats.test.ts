import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannKendall, median, medianInPlace, normalCdf, senSlopeInterval, stretchRate, theilSen } from './stats.js';

describe('statistics on series with known answers', () => {
  it('median', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('the selection median equals the sorted median, with ties, odd and even lengths (seeded)', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * 200);
      // Few distinct values in some rounds: sampled heap values tie often.
      const levels = round % 3 === 0 ? 4 : 1e6;
      const xs = Float64Array.from({ length: n }, () => Math.floor(rand() * levels) - levels / 2);
      const sorted = Float64Array.from(xs).sort();
      const want = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
      assert.equal(medianInPlace(Float64Array.from(xs)), want, `round ${round}, n ${n}`);
    }
  });

  it('Theil–Sen recovers the slope of a line, and ignores outliers', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    assert.equal(theilSen(xs, xs.map((x) => 3 * x + 7)), 3);
    const noisy = xs.map((x) => 2 * x + (x % 7 === 0 ? 1000 : 0)); // 5 of 30 points wild
    assert.equal(theilSen(xs, noisy), 2);
  });

  it('stretchRate: Theil–Sen, but the rise between the end quarters where tied values make up half the pairs', () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    // Few sampled objects: one 4-unit step at x = 30 (10 points after it).
    const stair = xs.map((x) => (x >= 30 ? 104 : 100));
    assert.equal(theilSen(xs, stair), 0, 'Theil–Sen reads the tied pairs');
    // Quarters of 10 points: medians 100 at x = 4.5 and 104 at x = 34.5.
    assert.equal(stretchRate(xs, stair), 4 / 30);
    // No ties: Theil–Sen as it is.
    const noisy = xs.map((x) => 2 * x + ((x * 7) % 5) / 10);
    assert.equal(stretchRate(xs, noisy), theilSen(xs, noisy));
    // A step in the middle: ties are 380 of 780 pairs, Theil–Sen still reads the step.
    const middle = xs.map((x) => (x >= 20 ? 104 : 100));
    assert.equal(stretchRate(xs, middle), theilSen(xs, middle));
    assert.ok(theilSen(xs, middle) > 0);
  });

  it('Mann–Kendall: S and z of a strictly increasing series', () => {
    const mk = mannKendall([1, 2, 3, 4, 5]);
    assert.equal(mk.s, 10); // n(n-1)/2
    // var = n(n-1)(2n+5)/18 = 5*4*15/18; z = (S-1)/sqrt(var)
    assert.ok(Math.abs(mk.z - 9 / Math.sqrt(300 / 18)) < 1e-12);
    // Five distinct values: the exact p-value, 1 ordering of 5! rises throughout.
    assert.ok(Math.abs(mk.pIncreasing - 1 / 120) < 1e-15, String(mk.pIncreasing));
  });

  it('Mann–Kendall: exact p-values of short series, with and without ties, equal a count over every ordering', () => {
    // Brute force: every permutation of the series' positions (each distinct ordering of its
    // values equally often), the share with S at least the series' S.
    const permutations = (n: number): number[][] => (n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])));
    const bruteForce = (ys: number[]): number => {
      const s = mannKendall(ys).s;
      const all = permutations(ys.length);
      return all.filter((p) => mannKendall(p.map((i) => ys[i]!)).s >= s).length / all.length;
    };
    const series = [
      [0, 1, 2],
      [1, 0, 2, 4, 3],
      [3, 1, 4, 0, 2, 6, 5],
      [1, 2, 3, 4, 5, 6, 7],
      // Ties: sampled values in steps, and a quiet service's leak at 0 until its first GC shows it.
      [0, 0, 0, 1.5, 4, 5.5, 8],
      [1, 1, 2, 2, 3, 3],
      [2, 1, 1, 2, 3, 3, 1],
      [5, 5, 5, 5],
    ];
    for (const ys of series) {
      const p = mannKendall(ys).pIncreasing;
      const want = bruteForce(ys);
      assert.ok(Math.abs(p - want) < 1e-12, `${ys.join(',')}: ${p} vs ${want}`);
    }
    // Seven strictly rising changed profiles (a quiet service's rare GCs) reach p < 0.001;
    // the normal approximation alone (p = 0.0013) did not.
    const seven = mannKendall([1, 2, 3, 4, 5, 6, 7]);
    assert.ok(Math.abs(seven.pIncreasing - 1 / 5040) < 1e-15);
    assert.ok(1 - normalCdf(seven.z) > 0.001);
    // Past ten points, the normal approximation.
    const eleven = mannKendall([...Array(11).keys()]);
    assert.ok(Math.abs(eleven.pIncreasing - (1 - normalCdf(eleven.z))) < 1e-15);
  });

  it('Mann–Kendall: no trend in a constant or alternating series, and tie correction', () => {
    assert.equal(mannKendall([5, 5, 5, 5]).z, 0);
    const alt = mannKendall([1, 2, 1, 2, 1, 2, 1, 2]);
    assert.ok(alt.pIncreasing > 0.2, String(alt.pIncreasing));
    // Ties shrink the variance: [1,1,2,2] has S=4, var = (4*3*13 - 2*(2*1*9))/18 = 120/18.
    const tied = mannKendall([1, 1, 2, 2]);
    assert.equal(tied.s, 4);
    assert.ok(Math.abs(tied.z - 3 / Math.sqrt(120 / 18)) < 1e-12);
  });

  it('normal CDF', () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalCdf(-3) - 0.0013499) < 1e-6);
  });

  it("Sen's slope interval: the ranks of the pairwise slopes, narrowing with more points", () => {
    // 5 points of y = x + (0, 2, -1, 1, 0): 10 pairwise slopes; var S = 5*4*15/18 = 50/3,
    // C = 1.96 * 4.08 = 8.0: ranks 1 and 10 (every slope) at 95 %.
    const xs = [0, 1, 2, 3, 4];
    const ys = [0, 3, 1, 4, 4];
    const slopes = [3, 0.5, 4 / 3, 1, -2, 0.5, 1 / 3, 3, 1.5, 0].sort((a, b) => a - b);
    const wide = senSlopeInterval(xs, ys, 1.959964);
    assert.equal(wide.lower, slopes[0]);
    assert.equal(wide.upper, slopes[9]);
    assert.equal(wide.slope, theilSen(xs, ys));
    // A long noisy line: the interval holds the true slope and is narrow.
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const long = Array.from({ length: 60 }, (_, i) => i);
    const ci = senSlopeInterval(long, long.map((x) => 2 * x + (rand() - 0.5) * 10), 1.959964);
    assert.ok(ci.lower < 2 && ci.upper > 2, `${ci.lower} .. ${ci.upper}`);
    assert.ok(ci.upper - ci.lower < 0.5, `${ci.lower} .. ${ci.upper}`);
    // Pure noise: the interval includes 0.
    const flat = senSlopeInterval(long, long.map(() => (rand() - 0.5) * 10), 1.959964);
    assert.ok(flat.lower < 0 && flat.upper > 0, `${flat.lower} .. ${flat.upper}`);
  });
});
