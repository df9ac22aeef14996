import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocContext, describeAllocation, residual, keepsFallingShare, keptShareByThird } from './alloc.js';

const MIN = 60_000;
const MB = 1e6;
const times = Array.from({ length: 90 }, (_, i) => i * MIN);

describe('allocation context', () => {
  it('least squares residual: 0 on a line, the variance without a slope', () => {
    assert.equal(residual([1, 2, 3, 4], [3, 5, 7, 9]), 0);
    assert.equal(residual([1, 1, 1], [1, 2, 3]), 2);
  });

  it('inuse that tracks the allocation rate (load ramps for 30 minutes, then holds) follows load', () => {
    const load = times.map((t) => Math.min(t / MIN, 30) / 30);
    const allocs = load.map((l) => (100 + 900 * l) * MB); // bytes per 1-minute interval
    const inuse = load.map((l, i) => (5 + 40 * l) * MB * (1 + 0.01 * Math.sin(i)));
    const ctx = allocContext(times, inuse, allocs, 20 * MB)!;
    assert.equal(ctx.followsLoad, true);
  });

  it('a leak keeps a share of what it allocates whatever the rate: it does not follow load', () => {
    const load = times.map((t) => Math.min(t / MIN, 30) / 30);
    const allocs = load.map((l) => (1 + 3 * l) * MB);
    let kept = 0;
    const inuse = allocs.map((a) => (kept += 0.2 * a));
    const ctx = allocContext(times, inuse, allocs, 40 * MB)!;
    assert.equal(ctx.followsLoad, false);
  });

  it('reports the rate allocated and the share kept: "allocates 3.1 MB/min, keeps 40 MB/h"', () => {
    const allocs = times.map(() => 3.1 * MB);
    const inuse = times.map((t) => (t / MIN) * (40 * MB / 60));
    const ctx = allocContext(times, inuse, allocs, 40 * MB)!;
    assert.equal(describeAllocation(ctx, 40 * MB), 'allocates 3.1 MB/min, keeps 40 MB/h');
    assert.ok(Math.abs(ctx.keptShare - 40 / (3.1 * 60)) < 0.01);
  });

  describe('what a site keeps beyond its load (a daily traffic curve, 6 hours of its morning at 2-minute scrapes)', () => {
    const n = 180;
    const day = Array.from({ length: n }, (_, i) => i * 2 * MIN);
    // Traffic from night to midday: 1 - cos over a 24-hour period.
    const load = day.map((t) => 0.1 + (1 - Math.cos((2 * Math.PI * t) / (1440 * MIN))) / 2);
    let seed = 7;
    const noise = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    const allocs = load.map((l) => l * 40 * MB * (1 + 0.2 * noise()));
    // In flight: the rate times ~1.5 minutes, sampled (±40 % at each scrape).
    const inFlight = allocs.map((a) => 0.75 * a * (1 + 0.8 * noise()));

    it('in-flight memory rises for hours with the traffic and keeps nothing beyond it', () => {
      const ctx = allocContext(day, inFlight, allocs, 1 * MB)!;
      // The two single-model fits are too noisy to tell apart here
      // (followsLoad needs the rate model twice as good).
      assert.equal(ctx.followsLoad, false);
      assert.ok(Math.abs(ctx.retentionT) < 3.09, `t ${ctx.retentionT}`);
    });

    it('a leak beside it keeps 2 % of what the site allocates, whatever the rate: retained', () => {
      let kept = 0;
      const inuse = allocs.map((a, i) => inFlight[i]! + (kept += 0.02 * a));
      const ctx = allocContext(day, inuse, allocs, 5 * MB)!;
      assert.ok(ctx.retentionT > 3.09, `t ${ctx.retentionT}`);
    });

    it('a leak at a constant load: the rate explains nothing, the leak is retained', () => {
      const flat = day.map(() => 20 * MB);
      let kept = 0;
      const inuse = flat.map((a) => 5 * MB * (1 + 0.2 * noise()) + (kept += 0.01 * a));
      assert.ok(allocContext(day, inuse, flat, 5 * MB)!.retentionT > 3.09);
      const noisy = flat.map((a) => a * (1 + 0.2 * noise()));
      kept = 0;
      const inuse2 = noisy.map((a) => 5 * MB * (1 + 0.2 * noise()) + (kept += 0.01 * a));
      assert.ok(allocContext(day, inuse2, noisy, 5 * MB)!.retentionT > 3.09);
    });
  });

  it('no allocation seen: no context (profiles without alloc samples)', () => {
    assert.equal(allocContext(times, times.map(() => 1), times.map(() => 0), 1), undefined);
  });
});

describe('the share a site keeps of what it allocates, early and late', () => {
  const R = 512 * 1024;
  // Load ramps from 1 to 10 MB per minute over the window: the rate in time says little.
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1e6 + (9e6 * i) / n));

  it('a leak keeps the same share at any rate: no fall', () => {
    const allocs = ramp(60);
    let kept = 0;
    const inuse = allocs.map((a) => (kept += 0.4 * a));
    const k = keptShareByThird(inuse, allocs)!;
    assert.ok(Math.abs(k.first - 0.4) < 1e-9 && Math.abs(k.last - 0.4) < 1e-9);
    assert.equal(keepsFallingShare(k, R, 3.09), false);
  });

  it('a cache that replaces entries near its 100 MB bound keeps a falling share', () => {
    const allocs = ramp(60);
    let size = 0;
    const inuse = allocs.map((a) => (size += a * Math.max(0, 1 - size / 100e6)));
    const k = keptShareByThird(inuse, allocs)!;
    assert.ok(k.last < 0.5 * k.first, `${k.first} -> ${k.last}`);
    assert.equal(keepsFallingShare(k, R, 3.09), true);
  });

  it('a site whose kept objects allocate on their own keeps as much per unit of load: no fall', () => {
    // Steady load: the process allocates 20 MB a minute. The site keeps 1 MB
    // a minute (clients created per request), and every megabyte of clients
    // it kept allocates 50 KB a minute on their own timers: the site's
    // allocation grows with what it keeps, and its share falls below half.
    const n = 90;
    const load = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 20e6));
    let kept = 0;
    const allocs: number[] = [];
    const inuse = Array.from({ length: n }, (_, i) => {
      allocs.push(i === 0 ? 0 : 1e6 + 0.05 * kept);
      return (kept += i === 0 ? 0 : 1e6);
    });
    const k = keptShareByThird(inuse, allocs, load)!;
    assert.ok(k.last < 0.5 * k.first, `the share falls: ${k.first} -> ${k.last}`);
    assert.ok(k.lastKeptPerLoad! >= k.firstKeptPerLoad! * 0.99, `${k.firstKeptPerLoad} -> ${k.lastKeptPerLoad}`);
    assert.equal(keepsFallingShare(k, R, 3.09), false);
    // Without the process's load, the share alone reads as a fall.
    assert.equal(keepsFallingShare(keptShareByThird(inuse, allocs)!, R, 3.09), true);
  });

  it('a cache near its bound keeps less per unit of load too, under a rising load', () => {
    const allocs = ramp(60);
    const load = allocs.map((a) => 5 * a);
    let size = 0;
    const inuse = allocs.map((a) => (size += a * Math.max(0, 1 - size / 100e6)));
    const k = keptShareByThird(inuse, allocs, load)!;
    assert.ok(k.lastKeptPerLoad! < 0.75 * k.firstKeptPerLoad!, `${k.firstKeptPerLoad} -> ${k.lastKeptPerLoad}`);
    assert.equal(keepsFallingShare(k, R, 3.09), true);
  });

  it('a dozen sampled objects that were all kept early are too few to call a fall', () => {
    // 7 MB early (~14 samples) all kept, then half: the z-test's np >= 5 condition fails.
    assert.equal(keepsFallingShare({ first: 1, last: 0.5, firstAllocated: 7e6, lastAllocated: 10e6 }, R, 3.09), false);
    // The same shares seen over 10 times the allocation are a fall.
    assert.equal(keepsFallingShare({ first: 1, last: 0.5, firstAllocated: 70e6, lastAllocated: 100e6 }, R, 3.09), true);
  });
});
