/**
 * Growth past the warm-up: against the sampling error of what the site
 * replaced since (confirm.ts: grewBeyondReplacedError), and at the rate it
 * had before, for a class's site within the sampling error (wentOnAfter).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grewBeyondReplacedError, hoursOf, wentOnAfter } from './confirm.js';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { variancePerByte } from './sampling.js';
import { upperNormalQuantile } from './stats.js';
import type { SampledSite } from './sampling.js';

const MIN = 60_000;
const MB = 1e6;
const Z = upperNormalQuantile(0.001);
const WARMUP_END = 60 * MIN;

/** A site scraped every minute for `minutes`: its inuse and what it allocated in the minute before each point. */
function site(minutes: number, inuse: (m: number) => number, allocatedPerMinute: (m: number) => number): SampledSite {
  const times: number[] = [];
  const sum: number[] = [];
  const allocs: number[] = [];
  for (let m = 0; m <= minutes; m++) {
    times.push(m * MIN);
    sum.push(inuse(m));
    allocs.push(m === 0 ? 0 : allocatedPerMinute(m));
  }
  return { times, sum, allocs, meanObjectBytes: 1024, periodBytes: 512 * 1024 };
}

/** 0.5 MB a minute until minute 60, then a rise of `riseMB` over the 8 minutes since, as sampling drift may read. */
const filledThenRose = (riseMB: number) => (m: number): number => (m <= 60 ? m * 0.5 * MB : 30 * MB + ((m - 60) / 8) * riseMB * MB);

describe('grewBeyondReplacedError', () => {
  it('a store that kept all it allocated, and past the warm-up keeps less than it allocates, must rise beyond the drift of what it replaced', () => {
    // It allocates 4 MB in the 8 minutes since and reads 2.5 MB higher: the
    // 1.5 MB it no longer kept replaced old entries, whose re-drawn estimate
    // wanders by ~1.3 MB (one standard error at 512 KiB sampling).
    assert.equal(grewBeyondReplacedError(WARMUP_END, site(68, filledThenRose(2.5), () => 0.5 * MB), Z), false);
    // Keeping all it allocates since, the same rise replaced nothing.
    assert.equal(grewBeyondReplacedError(WARMUP_END, site(68, filledThenRose(4), () => 0.5 * MB), Z), true);
    // A rise of 9 MB is beyond what replacing 3 MB can read as.
    assert.equal(grewBeyondReplacedError(WARMUP_END, site(68, filledThenRose(9), () => 1.5 * MB), Z), true);
  });

  it('a leak that keeps half of what it allocates and frees the rest young replaced nothing, whatever its traffic', () => {
    const halfKept = (perMinuteAfter: number) =>
      site(
        68,
        (m) => (m <= 60 ? m * 0.5 * MB : 30 * MB + (m - 60) * (perMinuteAfter / 2) * MB),
        (m) => (m <= 60 ? 1 : perMinuteAfter) * MB,
      );
    assert.equal(grewBeyondReplacedError(WARMUP_END, halfKept(1), Z), true);
    // Its traffic doubled past the warm-up: it allocates twice as much and keeps the same half.
    assert.equal(grewBeyondReplacedError(WARMUP_END, halfKept(2), Z), true);
  });

  it('is not asked without points on both sides of the warm-up end', () => {
    // The window starts past the warm-up: nothing before to tell the share kept then.
    const late = site(30, (m) => m * 0.5 * MB, () => 0.5 * MB);
    assert.equal(grewBeyondReplacedError(-1, late, Z), true);
    // No point since: nothing went on.
    assert.equal(grewBeyondReplacedError(31 * MIN, late, Z), false);
  });
});

describe('wentOnAfter', () => {
  /** 90 one-minute points: `before` MB/h until minute 60, then `after` MB/h, with the window's rate given as `before`. */
  const wentOn = (before: number, after: number, bytesVariance?: number): boolean => {
    const times: number[] = [];
    const values: number[] = [];
    for (let m = 0; m <= 90; m++) {
      times.push(m * MIN);
      values.push(((Math.min(m, 60) * before + Math.max(0, m - 60) * after) / 60) * MB);
    }
    return wentOnAfter(WARMUP_END, times, values, hoursOf(times), before * MB, 64 * MB, DEFAULT_DETECT_PARAMS, bytesVariance);
  };
  // A class's site: 2 KiB strings at Go's 512 KiB sampling.
  const sampled = variancePerByte(2048, 512 * 1024);

  it('goes on at 3/4 of its rate or more, whatever the sampling', () => {
    assert.equal(wentOn(10, 8), true);
    assert.equal(wentOn(10, 8, sampled), true);
  });

  it('at half its rate, is held unless the sampling error explains the shortfall (a class\'s site)', () => {
    // 10 MB/h is ~20 sampled strings an hour: half an hour at half that
    // rate gains ~5 sampled strings where 3/4 of its rate gives ~7, a
    // shortfall within the error.
    assert.equal(wentOn(10, 5), false);
    assert.equal(wentOn(10, 5, sampled), true);
  });

  it('a cache still filling at a quarter of its rate is held, with its many samples', () => {
    // 100 MB/h is ~200 sampled objects an hour: 25 MB/h past the warm-up is
    // ~50 sampled short of what 3/4 of its rate would give.
    assert.equal(wentOn(100, 25, sampled), false);
  });

  it('a site that stopped growing is held whatever its sampling', () => {
    assert.equal(wentOn(10, 0, sampled), false);
  });
});
