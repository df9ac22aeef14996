import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTimeAxis } from './load-time.js';
import { upperNormalQuantile } from './stats.js';
import { seededRandom } from '../../test/helpers/random.js';

const MINUTE = 60_000;
const PERIOD = 512 * 1024;
const Z = upperNormalQuantile(0.05);
const minutes = (n: number): number[] => Array.from({ length: n }, (_, i) => i * MINUTE);

/** Allocation per point as the profiler samples it: `bytes(m)` a minute in 4 KiB objects, each kept with probability 1 - e^(-4096/period). */
function sampledLoad(seed: number, n: number, bytes: (minute: number) => number): number[] {
  const rand = seededRandom(seed);
  const p = 1 - Math.exp(-4096 / PERIOD);
  return minutes(n).map((_, m) => {
    const objects = Math.round(bytes(m) / 4096);
    // Normal approximation of the binomial count of sampled objects.
    const mean = objects * p;
    const gauss = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const sampled = Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * gauss));
    return (sampled * 4096) / p;
  });
}

describe('judging a shape per unit of load', () => {
  const none = (n: number): number[] => new Array<number>(n).fill(0);

  it('a steady load (sampled, ±25 % a point) leaves wall time as it is', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const times = minutes(120);
      assert.equal(loadTimeAxis(times, sampledLoad(seed, 120, () => 8 * 2 ** 20), none(120), PERIOD, Z, 0.75), times, `seed ${seed}`);
    }
  });

  it('a load that falls to a third over the first hour re-times the points: equal loads take equal time, same start and span', () => {
    const times = minutes(121);
    const bytes = (m: number): number => (m < 60 ? 3 - (2 * m) / 60 : 1) * 64 * 2 ** 20;
    const axis = loadTimeAxis(times, sampledLoad(7, 121, bytes), none(121), PERIOD, Z, 0.75);
    assert.notEqual(axis, times);
    assert.equal(axis[0], times[0]);
    assert.ok(Math.abs(axis[120]! - times[120]!) < 1);
    // The first hour carries 2/3 of the two hours' load (120 of 180 units): it takes ~80 of the 120 minutes.
    assert.ok(Math.abs(axis[60]! / MINUTE - 80) < 4, `minute 60 at ${axis[60]! / MINUTE}`);
  });

  it('a fall of a tenth, however significant, is no fall: wall time stands', () => {
    const times = minutes(120);
    const tenth = (m: number): number => (1 - (0.1 * m) / 120) * 512 * 2 ** 20;
    assert.equal(loadTimeAxis(times, sampledLoad(3, 120, tenth), none(120), PERIOD, Z, 0.75), times);
    // The same fall to a third is one.
    const third = (m: number): number => (1 - ((2 / 3) * m) / 120) * 512 * 2 ** 20;
    assert.notEqual(loadTimeAxis(times, sampledLoad(3, 120, third), none(120), PERIOD, Z, 0.75), times);
  });

  it("the site's own allocation is not load: a cache whose fill is most of the allocation does not re-time itself", () => {
    const times = minutes(120);
    const fill = (m: number): number => 64 * 2 ** 20 * Math.exp(-m / 30);
    const siteAllocs = minutes(120).map((_, m) => fill(m));
    const process = minutes(120).map((_, m) => fill(m) + 8 * 2 ** 20);
    assert.equal(loadTimeAxis(times, process, siteAllocs, PERIOD, Z, 0.75), times);
    assert.notEqual(loadTimeAxis(times, process, none(120), PERIOD, Z, 0.75), times);
  });
});
