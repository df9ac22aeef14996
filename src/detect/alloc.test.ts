import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocContext, describeAllocation, residual } from './alloc.js';

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

  it('no allocation seen: no context (profiles without alloc samples)', () => {
    assert.equal(allocContext(times, times.map(() => 1), times.map(() => 0), 1), undefined);
  });
});
