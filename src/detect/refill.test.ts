import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cycleOf } from './refill.js';

const MB = 1_000_000;
// Go's default sampling: 512 KiB of variance per byte for small objects.
const PERIOD = 512 * 1024;
const Z = 3.09;

const refills = (values: readonly number[], bytesVariance: number, z: number): boolean => cycleOf(values, bytesVariance, z) === 'refilling';

/** `teeth` teeth of `length` points rising by `step` MB a point, each dropped to 0. */
function sawtooth(teeth: number, length: number, step: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < teeth; t++) for (let i = 0; i < length; i++) out.push(i * step * MB);
  return out;
}

describe('cycleOf: a sawtooth refills what it released', () => {
  it('holds a tooth that regrows to the level the site released from', () => {
    // 0 .. 14.8 MB, dropped to 0, and regrowing: at its old peak, and a
    // little above it (sampling makes teeth differ).
    const values = [...sawtooth(1, 40, 0.37), ...sawtooth(1, 30, 0.37)];
    assert.equal(refills(values, PERIOD, Z), true);
    values.push(17.9 * MB);
    assert.equal(refills(values, PERIOD, Z), true, '3 MB above a 14.8 MB peak is within the sampling error');
  });

  it('lets go of growth once it rises above everything the site released, beyond the sampling error', () => {
    // A transient of 6 MB at start-up, freed, then a leak of 0.75 MB a point.
    const leak = (points: number): number[] => [0, 6 * MB, 6 * MB, 0.2 * MB, ...Array.from({ length: points }, (_, i) => 0.2 * MB + i * 0.75 * MB)];
    assert.equal(refills(leak(16), PERIOD, Z), true, 'at 11.5 MB, within the error of two draws above 6 MB');
    assert.equal(refills(leak(40), PERIOD, Z), false, 'at 29.5 MB');
  });

  it('a leak that never gave anything back is no refill, whatever its noise', () => {
    const values = Array.from({ length: 60 }, (_, i) => i * 0.2 * MB + (i % 3) * 0.5 * MB);
    assert.equal(refills(values, PERIOD, Z), false);
  });

  it('a fall within the sampling error, or to more than half, is no release', () => {
    // One sampled object (~0.5 MB) of a 0.8 MB site freed: within the error.
    assert.equal(refills([0, 0.8 * MB, 0.3 * MB, 0.5 * MB, 0.8 * MB], PERIOD, Z), false);
    // 40 MB down to 25 MB: the site kept most of what it held.
    assert.equal(refills([10 * MB, 40 * MB, 25 * MB, 30 * MB, 35 * MB], PERIOD, Z), false);
  });

  it('a sawtooth whose troughs rise keeps part of each cycle: a leak inside it, not a refill', () => {
    // Teeth of 16 MB; each flush keeps 1.6 MB for good.
    const values: number[] = [];
    for (let t = 0; t < 8; t++) for (let i = 0; i < 40; i++) values.push((t * 1.6 + i * 0.4) * MB);
    assert.equal(cycleOf(values.slice(0, 3 * 40 + 20), PERIOD, Z), 'refilling', 'three troughs, 3.2 MB apart: within the error');
    assert.equal(cycleOf(values, PERIOD, Z), 'keeps-part-of-each-cycle');
    // The same teeth without the kept part.
    assert.equal(cycleOf(sawtooth(8, 40, 0.4), PERIOD, Z), 'refilling');
  });

  it('a fall that the allocation rate made too is load leaving, not a release', () => {
    // A decode site at start-up under a burst: 30 MB in flight while it
    // allocates 60 MB a minute, then traffic falls to a third and the level
    // with it, while a leak adds 0.2 MB a minute.
    const times = Array.from({ length: 60 }, (_, i) => i * 60_000);
    const rate = (i: number): number => (i < 10 ? 60 : 20) * MB;
    const values = times.map((_, i) => (i < 10 ? 30 : 10) * MB + i * 0.2 * MB);
    const bytes = times.map((_, i) => (i === 0 ? 0 : rate(i)));
    assert.equal(cycleOf(values, PERIOD, Z, { times, bytes }), undefined);
    assert.equal(cycleOf(values, PERIOD, Z), 'refilling', 'without the allocation it reads as a release');
    // A spool keeps allocating at its rate through its flush: a release.
    const spool = sawtooth(2, 30, 0.5);
    const steady = { times: spool.map((_, i) => i * 60_000), bytes: spool.map((_, i) => (i === 0 ? 0 : 0.5 * MB)) };
    assert.equal(cycleOf(spool, PERIOD, Z, steady), 'refilling');
  });

  it('every allocation recorded (MemProfileRate 1): a small site\'s release counts', () => {
    assert.equal(refills([0, 0.8 * MB, 0, 0.4 * MB, 0.7 * MB], 1, Z), true);
    assert.equal(refills([0, 0.8 * MB, 0, 0.4 * MB, 0.9 * MB], 1, Z), false);
  });
});
