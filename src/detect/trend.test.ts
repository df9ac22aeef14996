/**
 * The trend detector on synthetic series with known answers, built at the
 * default 1-minute interval with Go's sampling granularity (values move in
 * ~512 KiB steps) and seeded noise, so every run sees the same numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { mannKendall, theilSen } from './stats.js';
import { assessTrend, growthOnset } from './trend.js';
import { seededRandom as rng } from '../../test/helpers/random.js';

const MIN = 60_000;
const MB = 1e6;
const SAMPLE = 512 * 1024;

function series(minutes: number, f: (m: number, r: () => number) => number, seed = 1): { t: number[]; v: number[] } {
  const r = rng(seed);
  const t: number[] = [];
  const v: number[] = [];
  for (let m = 0; m <= minutes; m++) {
    t.push(m * MIN);
    // Sampled heap values come in whole samples.
    v.push(Math.max(0, Math.round(f(m, r) / SAMPLE) * SAMPLE));
  }
  return { t, v };
}

const HEAP = 300 * MB;
const judge = (s: { t: number[]; v: number[] }): ReturnType<typeof assessTrend> => assessTrend(s.t, s.v, HEAP, DEFAULT_DETECT_PARAMS);
const noise = (r: () => number, amp: number): number => (r() - 0.5) * 2 * amp;

describe('assessTrend', () => {
  it('catches a 50 MB/h leak in a noisy heap within 45 minutes', () => {
    const s = series(45, (m, r) => 20 * MB + (50 * MB * m) / 60 + noise(r, 3 * MB));
    const v = judge(s);
    assert.ok(v.growing, v.reason);
    assert.ok(Math.abs(v.slopePerHour - 50 * MB) < 8 * MB, String(v.slopePerHour));
  });

  it('catches a 4 MB/h leak inside a 300 MB noisy heap within two hours', () => {
    const s = series(110, (m, r) => 5 * MB + (4 * MB * m) / 60 + noise(r, 0.6 * MB));
    const v = judge(s);
    assert.ok(v.growing, v.reason);
    assert.ok(v.slopePerHour > 2.5 * MB && v.slopePerHour < 6 * MB, String(v.slopePerHour));
  });

  it('catches a leak of few sampled objects, whose series is a staircase', () => {
    // MemProfileRate 4 MiB: each sampled object stands for 4 MiB, 8 steps in
    // two hours (17 MB/h). The last third (minutes 80-120) has one step, at
    // 112: most of its pairs are tied and their Theil–Sen slope is 0.
    const QUANTUM = 4 * 1024 * 1024;
    const steps = [6, 18, 30, 42, 54, 66, 78, 112];
    const t = Array.from({ length: 121 }, (_, m) => m * MIN);
    const v = t.map((_, m) => 40 * MB + QUANTUM * steps.filter((s) => s <= m).length);
    assert.equal(theilSen(t.slice(80), v.slice(80)), 0);
    const verdict = assessTrend(t, v, 100 * MB, DEFAULT_DETECT_PARAMS);
    assert.ok(verdict.growing, verdict.reason);
  });

  it('does not flag a warm-up that flattens, where Mann–Kendall alone does', () => {
    // A cache filling with a 10-minute time constant to 60 MB, observed for an hour.
    const s = series(60, (m, r) => 60 * MB * (1 - Math.exp(-m / 10)) + noise(r, 1 * MB));
    assert.ok(mannKendall(s.v).pIncreasing < 1e-6, 'Mann–Kendall calls the warm-up a trend');
    const v = judge(s);
    assert.equal(v.growing, false);
    assert.match(v.reason!, /slowed down|floor did not rise/);
  });

  it('does not flag a sawtooth of batches allocated then freed', () => {
    const s = series(90, (m, r) => 10 * MB + (m % 12) * 4 * MB + noise(r, 1 * MB));
    assert.equal(judge(s).growing, false);
  });

  it('does not flag a one-time step', () => {
    const s = series(90, (m, r) => 10 * MB + (m >= 40 ? 40 * MB : 0) + noise(r, 1 * MB));
    const v = judge(s);
    assert.equal(v.growing, false, v.reason);
  });

  it('does not flag pool churn or pure sampling noise', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = series(120, (_m, r) => 8 * MB + noise(r, 4 * MB), seed);
      assert.equal(judge(s).growing, false, `seed ${seed}`);
    }
  });

  it('needs enough history before judging', () => {
    const s = series(10, (m) => 100 * MB * m);
    assert.deepEqual([judge(s).growing, judge(s).reason], [false, 'not enough history']);
  });

  it('applies the absolute minimum growth, and the relative one when it is set', () => {
    const tiny = series(60, (m) => (2 * MB * m) / 60); // 2 MB over the hour
    assert.equal(judge(tiny).reason, 'growth below the absolute minimum');
    const s = series(60, (m) => (10 * MB * m) / 60);
    // By default 10 MB in an hour is growth in a 2 GB heap as in a small one.
    assert.equal(assessTrend(s.t, s.v, 2000 * MB, DEFAULT_DETECT_PARAMS).growing, true);
    const shareOfHeap = { ...DEFAULT_DETECT_PARAMS, minGrowthRatio: 0.02 };
    assert.equal(assessTrend(s.t, s.v, 2000 * MB, shareOfHeap).reason, 'growth below the relative minimum');
    assert.equal(assessTrend(s.t, s.v, 400 * MB, shareOfHeap).growing, true);
  });

  it('retained mode judges the floor of noisy pooled memory', () => {
    // 8 MiB buffers taken and returned: values jump by whole buffers, the floor rises.
    const s = series(75, (m, r) => Math.floor(r() * 6 + m / 8) * 8 * 1024 * 1024, 3);
    assert.equal(judge(s).growing, false);
    const v = assessTrend(s.t, s.v, HEAP, DEFAULT_DETECT_PARAMS, 'retained');
    assert.ok(v.growing, v.reason);
  });

  it('growthOnset finds where a rise began after a flat stretch, and none in a straight line', () => {
    const s = series(150, (m, r) => 40 * MB + Math.max(0, m - 100) * (30 * MB / 60) + noise(r, 1 * MB));
    const onset = growthOnset(s.t, s.v, DEFAULT_DETECT_PARAMS);
    // At most min_window (25 min) before the end: the hinge lands at the rise or just before.
    assert.ok(onset.index >= 95 && onset.index <= 125, String(onset.index));
    assert.equal(onset.hinges, 150 - 25 + 1);
    const straight = series(150, (m, r) => 40 * MB + m * (30 * MB / 60) + noise(r, 1 * MB));
    assert.ok(growthOnset(straight.t, straight.v, DEFAULT_DETECT_PARAMS).index <= 5);
  });
});
