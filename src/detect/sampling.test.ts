import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arrivalVariancePerByte,
  exceedsSamplingError,
  GO_DEFAULT_SAMPLING_PERIOD as R,
  rateFallsBeyondSamplingError,
  samplingError,
  slopeVarianceFactor,
  slowsBeyondSamplingError,
  variancePerByte,
  type SampledGrowth,
} from './sampling.js';
import { mannKendall, theilSen, upperNormalQuantile } from './stats.js';
import { seededRandom } from '../../test/helpers/random.js';

const MINUTE = 60_000;
const MiB = 1 << 20;

describe('the heap profiler sampling error', () => {
  it('per live byte: the period for small objects, vanishing for objects far above it, 0 when every allocation is recorded', () => {
    assert.ok(Math.abs(variancePerByte(64, R) - R) / R < 1e-3);
    assert.ok(variancePerByte(4 * R, R) < 0.1 * R);
    assert.equal(variancePerByte(64, 1), 0);
    assert.equal(variancePerByte(undefined, R), R);
  });

  it('the upper normal quantile inverts the CDF', () => {
    assert.ok(Math.abs(upperNormalQuantile(0.001) - 3.09) < 0.01);
    assert.ok(Math.abs(upperNormalQuantile(0.01) - 2.326) < 0.01);
  });

  const window = (over: Partial<SampledGrowth>): SampledGrowth => ({
    spanMs: 120 * MINUTE,
    points: 120,
    baseBytes: 80 * MiB,
    growthBytes: 0,
    allocatedBytes: 60 * MiB,
    meanObjectBytes: 256 << 10,
    periodBytes: R,
    ...over,
  });

  it('objects kept through the window add nothing; a pure leak is judged on its growth alone', () => {
    // Allocated = kept: nothing was replaced, so no sampling error can fake growth.
    assert.equal(samplingError(window({ baseBytes: 20 * MiB, growthBytes: 6 * MiB, allocatedBytes: 6 * MiB })), 0);
    // A level replaced many times per point (in-flight requests) is a new
    // draw at each of the 120 points: a slope through them, against the two
    // ends of a level replaced once in the window.
    const inFlight = samplingError(window({ baseBytes: 20 * MiB, allocatedBytes: 100_000 * MiB, meanObjectBytes: 512 }));
    const slow = samplingError(window({ baseBytes: 20 * MiB, allocatedBytes: 20 * MiB, meanObjectBytes: 512 }));
    assert.ok(Math.abs(inFlight / slow - Math.sqrt(slopeVarianceFactor(120) / 2)) < 1e-6, `${inFlight} vs ${slow}`);
    assert.ok(inFlight < slow / 4);
  });

  /**
   * Go's sampling, simulated: a working set of 16-512 KiB chunks, a share of
   * it replaced by new chunks every minute, each chunk recorded with
   * probability p = 1 - exp(-size/R) and scaled by 1/p. The true size never
   * changes; the estimate drifts as the recorded chunks are replaced.
   */
  function simulateWorkingSet(seed: number, replacePerMinute: number, leakPerMinute: number): { times: number[]; values: number[]; allocated: number; meanObject: number } {
    let s = seed;
    const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const chunk = (): { size: number; estimate: number } => {
      const size = (16 << 10) + Math.floor(rand() * (496 << 10));
      const p = 1 - Math.exp(-size / R);
      return { size, estimate: rand() < p ? size / p : 0 };
    };
    const live: { size: number; estimate: number }[] = [];
    for (let bytes = 0; bytes < 80 * MiB; ) {
      const c = chunk();
      live.push(c);
      bytes += c.size;
    }
    let leaked = 0;
    let allocated = 0;
    const times: number[] = [];
    const values: number[] = [];
    for (let minute = 0; minute < 120; minute++) {
      for (let replaced = 0; replaced < replacePerMinute * 80 * MiB; ) {
        const i = Math.floor(rand() * live.length);
        replaced += live[i]!.size;
        const c = chunk();
        allocated += c.size;
        live[i] = c;
      }
      // A leak of small objects: recorded as a Poisson stream of samples of R bytes each.
      for (let b = leakPerMinute; b > 0; b -= 2048) if (rand() < 2048 / R) leaked += R;
      allocated += leakPerMinute;
      times.push(minute * MINUTE);
      values.push(live.reduce((a, c) => a + c.estimate, 0) + leaked);
    }
    return { times, values, allocated, meanObject: 264 << 10 };
  }

  function judge(run: ReturnType<typeof simulateWorkingSet>, z: number): { trends: boolean; exceeds: boolean } {
    const hours = run.times.map((t) => t / 3_600_000);
    const growth = theilSen(hours, run.values) * 2;
    const head = [...run.values.slice(0, 12)].sort((a, b) => a - b);
    const g: SampledGrowth = {
      spanMs: run.times.at(-1)!,
      points: run.values.length,
      baseBytes: head[6]!,
      growthBytes: growth,
      allocatedBytes: run.allocated,
      meanObjectBytes: run.meanObject,
      periodBytes: R,
    };
    return { trends: mannKendall(run.values).pIncreasing < 0.001 && growth > 4 * MiB, exceeds: exceedsSamplingError(g, z) };
  }

  it('a slowly replaced working set that never grows: its drift trends to Mann–Kendall, and sampling error explains it', () => {
    const z = upperNormalQuantile(0.001);
    let trends = 0;
    let alarms = 0;
    const trials = 200;
    for (let seed = 1; seed <= trials; seed++) {
      const j = judge(simulateWorkingSet(seed, 0.01, 0), z);
      if (j.trends) trends++;
      if (j.trends && j.exceeds) alarms++;
    }
    // Without this check, the drift alone passes Mann–Kendall and the least growth often.
    assert.ok(trends >= trials / 20, `only ${trends}/${trials} drifts trended`);
    assert.ok(alarms <= trials / 100, `${alarms}/${trials} drifts passed the sampling check`);
  });

  it('a working set replaced every ~10 minutes, judged over 2 hours: its growth is a slope over ~6 independent draws, not a difference of two halves', () => {
    // Every minute 10 % of the set is replaced (lifetime ~10 minutes): over
    // 120 minutes its estimate is ~6 independent draws. The growth's error is
    // that of a slope through them (slopeVarianceFactor), about 1.7 times the
    // error of the difference of the two halves' means that this check used
    // before: with that, 22 of these 400 drifts passed, 5.5 % at a 0.1 %
    // significance; with the slope's error, 3.
    const z = upperNormalQuantile(0.001);
    let alarms = 0;
    const trials = 400;
    for (let seed = 1; seed <= trials; seed++) if (judge(simulateWorkingSet(5000 + seed, 0.1, 0), z).exceeds) alarms++;
    assert.ok(alarms <= trials / 100, `${alarms}/${trials} drifts passed the sampling check`);
  });

  it('the variance of a slope through m draws, times the span squared: 2 for two ends, 12/m for many', () => {
    assert.equal(slopeVarianceFactor(2), 2);
    assert.ok(Math.abs(slopeVarianceFactor(1000) * 1000 - 12) < 0.05);
  });

  // A leak in the same function as a slowly replaced 80 MiB working set must
  // outgrow that set's drift: at 6 MB/h, 2 hours is not enough (9 in 40).
  it('a 20 MB/h leak of small objects in the same function as that working set stands out of the sampling error', () => {
    const z = upperNormalQuantile(0.001);
    let found = 0;
    const trials = 40;
    for (let seed = 1; seed <= trials; seed++) if (judge(simulateWorkingSet(1000 + seed, 0.002, 333_333), z).exceeds) found++;
    assert.ok(found >= trials * 0.9, `${found}/${trials}`);
  });

  describe('a slowdown beyond sampling error', () => {
    const z = upperNormalQuantile(0.001);
    const minutes = (n: number): number[] => Array.from({ length: n }, (_, i) => i * MINUTE);
    // A leak read through the profiler: each kept 4 KiB object is sampled with
    // probability 1 - exp(-4096 / R) and then counts as R / (1 - exp(-4096 / R)) bytes.
    const sampledLeak = (seed: number, bytesPerMinute: (minute: number) => number, n: number): number[] => {
      const rand = seededRandom(seed);
      const p = 1 - Math.exp(-4096 / R);
      const values: number[] = [];
      let total = 0;
      for (let m = 0; m < n; m++) {
        for (let k = Math.round(bytesPerMinute(m) / 4096); k > 0; k--) if (rand() < p) total += 4096 / p;
        values.push(total);
      }
      return values;
    };
    const v = variancePerByte(4096, R);

    it('a steady 47 MB/h leak over 35 minutes is not slowing, whatever its thirds read', () => {
      let slowing = 0;
      for (let seed = 1; seed <= 200; seed++) if (slowsBeyondSamplingError(minutes(35), sampledLeak(seed, () => 47e6 / 60, 35), v, z)) slowing++;
      assert.ok(slowing <= 2, `${slowing} of 200 steady leaks read as slowing`);
    });

    it('a fill whose rate falls to a quarter over its window is slowing', () => {
      let slowing = 0;
      for (let seed = 1; seed <= 50; seed++) if (slowsBeyondSamplingError(minutes(60), sampledLeak(seed, (m) => (120e6 / 60) * (1 - (0.75 * m) / 60), 60), v, z)) slowing++;
      // 41 of 50 with these seeds: each third holds ~60, ~38 and ~15 samples.
      assert.ok(slowing >= 40, `${slowing} of 50 falling fills read as slowing`);
    });

    it('every allocation recorded (MemProfileRate 1): any slowdown is real', () => {
      const exact = minutes(30).map((t) => 1e6 * Math.sqrt(t / MINUTE));
      assert.equal(slowsBeyondSamplingError(minutes(30), exact, 1, z), true);
      assert.equal(slowsBeyondSamplingError(minutes(30), minutes(30).map((t) => t), 1, z), false);
    });

    it('too few points to split into thirds say nothing', () => {
      assert.equal(slowsBeyondSamplingError(minutes(2), [0, 1e9], v, z), false);
    });
  });

  describe('a falling rate (the Laplace test)', () => {
    const z = upperNormalQuantile(0.05);
    const minutes = (n: number): number[] => Array.from({ length: n }, (_, i) => i * MINUTE);
    // Objects of `size` bytes arrive at random (Poisson, `perMinute(m)` bytes
    // a minute on average) and are recorded at `period` (1: every one).
    const arrivals = (seed: number, perMinute: (minute: number) => number, n: number, size: number, period: number): number[] => {
      const rand = seededRandom(seed);
      const p = period <= 1 ? 1 : 1 - Math.exp(-size / period);
      const values: number[] = [];
      let total = 0;
      for (let m = 0; m < n; m++) {
        // Poisson by counting exponential gaps within the minute.
        const rate = perMinute(m) / size;
        for (let t = -Math.log(1 - rand()) / rate; t < 1; t += -Math.log(1 - rand()) / rate) if (rand() < p) total += size / p;
        values.push(total);
      }
      return values;
    };

    it('per byte: the sampling error plus the arrivals own, the period for small objects and the size for big ones or every allocation recorded', () => {
      assert.ok(Math.abs(arrivalVariancePerByte(64, R) - R) / R < 1e-3);
      assert.ok(Math.abs(arrivalVariancePerByte(8 * R, R) - 8 * R) / (8 * R) < 0.01);
      assert.equal(arrivalVariancePerByte(4096, 1), 4096);
    });

    it('a steady leak reads as falling about as often as the significance allows', () => {
      let falling = 0;
      const v = arrivalVariancePerByte(4096, R);
      for (let seed = 1; seed <= 200; seed++) if (rateFallsBeyondSamplingError(minutes(120), arrivals(seed, () => 28e6 / 60, 120, 4096, R), v, z)) falling++;
      // p = 0.05: ~10 of 200 (10 with these seeds).
      assert.ok(falling <= 20, `${falling} of 200 steady leaks read as falling`);
    });

    it('a log-like fill, its rate down to a fifth within the window, reads as falling', () => {
      let falling = 0;
      const v = arrivalVariancePerByte(4096, R);
      for (let seed = 1; seed <= 100; seed++) if (rateFallsBeyondSamplingError(minutes(120), arrivals(seed, (m) => ((28e6 / 60) * 30) / (m + 30), 120, 4096, R), v, z)) falling++;
      // 85 of 100 with these seeds.
      assert.ok(falling >= 75, `${falling} of 100 fills read as falling`);
    });

    it('bursty traffic (a batch now and then) is judged at the dispersion its rises show, not at the Poisson variance', () => {
      // Every allocation recorded: the model's variance is the object size,
      // far below what batches of 200 objects give.
      const bursty = (seed: number): number[] => {
        const rand = seededRandom(seed);
        let total = 0;
        return minutes(120).map(() => (total += rand() < 0.1 ? 200 * 4096 : 0));
      };
      let falling = 0;
      for (let seed = 1; seed <= 200; seed++) if (rateFallsBeyondSamplingError(minutes(120), bursty(seed), arrivalVariancePerByte(4096, 1), z)) falling++;
      assert.ok(falling <= 20, `${falling} of 200 bursty steady leaks read as falling`);
    });

    it('too few points, or no net gain, say nothing', () => {
      assert.equal(rateFallsBeyondSamplingError(minutes(3), [0, 5e6, 6e6], 1, z), false);
      assert.equal(rateFallsBeyondSamplingError(minutes(5), [0, 5e6, 5e6, 5e6, 0], 1, z), false);
    });
  });
});
