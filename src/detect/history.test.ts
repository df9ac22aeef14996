import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EpochSeries, type StackPoint } from './history.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const pt = (bytes: number, allocDelta = 0): StackPoint => ({ bytes, objects: bytes / 1024, allocDelta, largeBytes: 0, largeObjects: 0 });

describe('EpochSeries (bounded detection history)', () => {
  it('its memory is fixed: independent of the number of stacks, the points and the scrape interval', () => {
    const s = new EpochSeries([2 * HOUR, 6 * HOUR, 24 * HOUR], 120, 64);
    const before = s.fixedBytes;
    for (let i = 0; i < 24 * 60 * 4; i++) {
      const stacks = new Map<number, StackPoint>();
      for (let k = 0; k < 500; k++) stacks.set((i * 7 + k) % 3000, pt(1000 + k));
      s.append(i * 15_000, 1e9, 1e6, stacks);
    }
    assert.equal(s.fixedBytes, before);
    assert.ok(s.trackedStacks().length <= 64);
    assert.ok(s.baselines <= 500 + 64, `${s.baselines} baselines`);
    assert.equal(before, 64 * 4 + 64 * 8 * 7 + 3 * (120 * 8 * 3 + 64 * 120 * 4 * 2));
  });

  it('each horizon keeps one point per bucket: 1-minute buckets over 2 h, 12-minute over 24 h', () => {
    const s = new EpochSeries([2 * HOUR, 24 * HOUR], 120, 8);
    for (let m = 0; m < 30 * 60; m++) s.append(m * MIN, 100, 0, new Map([[1, pt(m)]]));
    const short = s.view(0, 30 * 60 * MIN - 2 * HOUR);
    assert.equal(short.times.length, 120);
    const long = s.view(1, 0);
    assert.equal(long.times.length, 120);
    assert.equal(long.times[1]! - long.times[0]!, 12 * MIN);
    // The last value of each bucket (a heap profile is a snapshot).
    assert.deepEqual(s.inuse(1, s.slotOf(1)!, long).slice(-1), [30 * 60 - 1]);
  });

  it('sums allocation per bucket, and a 5-minute interval leaves the other 1-minute buckets empty', () => {
    const s = new EpochSeries([2 * HOUR], 120, 8);
    for (let m = 0; m <= 60; m += 5) s.append(m * MIN, 100, 0, new Map([[1, pt(m + 1, 50)]]));
    const v = s.view(0, 0);
    assert.equal(v.times.length, 13);
    assert.deepEqual(s.allocated(0, s.slotOf(1)!, v).slice(0, 3), [50, 50, 50]);
  });

  it('keeps the growing stack when slots are scarce, over many larger flat ones', () => {
    const s = new EpochSeries([2 * HOUR], 120, 8);
    for (let m = 0; m < 60; m++) {
      const stacks = new Map<number, StackPoint>();
      for (let k = 0; k < 20; k++) stacks.set(100 + k, pt(1e6));
      stacks.set(1, pt(m * 1e5));
      s.append(m * MIN, 2e7, 0, stacks);
    }
    assert.ok(s.slotOf(1) !== undefined, 'the growing stack is tracked');
    const v = s.view(0, 0);
    const series = s.inuse(0, s.slotOf(1)!, v);
    assert.equal(series.at(-1), 59 * 1e5);
  });

  it('a stack seen for the first time starts from 0; one tracked late starts flat (no invented growth)', () => {
    const s = new EpochSeries([2 * HOUR], 120, 8);
    s.append(0, 100, 0, new Map([[1, pt(10)]]));
    s.append(MIN, 100, 0, new Map([[1, pt(10)], [2, pt(50)]]));
    const v = s.view(0, 0);
    assert.deepEqual(s.inuse(0, s.slotOf(2)!, v), [0, 50]);
  });

  it("a stack's typical object is that of the sizes that grew: a few 8 MiB buffers among small ones are large", () => {
    const MiB = 1 << 20;
    const s = new EpochSeries([2 * HOUR], 120, 8);
    const point = (bytes: number, objects: number, largeBytes: number, largeObjects: number): StackPoint => ({ bytes, objects, allocDelta: 0, largeBytes, largeObjects });
    // From the first point: stack 1 holds 4000 small buffers (32 MB), 2 those and four 8 MiB ones, 3 the four 8 MiB ones.
    s.append(0, 1e9, 0, new Map([[1, point(4000 * 8192, 4000, 0, 0)], [2, point(4000 * 8192 + 32 * MiB, 4004, 32 * MiB, 4)], [3, point(32 * MiB, 4, 32 * MiB, 4)], [4, point(64 * 1024, 16, 0, 0)]]));
    for (let m = 1; m <= 10; m++) {
      s.append(m * MIN, 1e9, 0, new Map([
        // Gains one 8 MiB buffer every 2 minutes: a mean of 10 KiB, its growth large.
        [1, point(4000 * 8192 + Math.floor(m / 2) * 8 * MiB, 4000 + Math.floor(m / 2), Math.floor(m / 2) * 8 * MiB, Math.floor(m / 2))],
        // Gains 4 KiB buffers beside four 8 MiB ones.
        [2, point(4000 * 8192 + 32 * MiB + m * 400 * 4096, 4004 + m * 400, 32 * MiB, 4)],
        // Its large buffers stay; 1000 small ones join: growth small, most bytes large.
        [3, point(32 * MiB + m * 100 * 2048, 4 + m * 100, 32 * MiB, 4)],
        [4, point(64 * 1024, 16, 0, 0)],
      ]));
    }
    assert.equal(s.typicalObjectBytes(s.slotOf(1)!), 8 * MiB);
    assert.equal(s.typicalObjectBytes(s.slotOf(2)!), (4000 * 8192 + 4000 * 4096) / 8000);
    assert.equal(s.typicalObjectBytes(s.slotOf(3)!), 2048);
    // Nothing grew: the sizes that hold most bytes.
    assert.equal(s.typicalObjectBytes(s.slotOf(4)!), 4096);
  });
});
