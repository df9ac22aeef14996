/**
 * Whether growth held at info goes on as a leak: past the process's warm-up
 * (wentOnAfter), past its finding as a filling cache (resumedAfterFilling),
 * and, for a process first watched late, against the rate its level at first
 * sight says it grew at before (slowerThanBeforeFirstSight). Each compares
 * the rate since with a reference rate, so a cache that fills ever more
 * slowly falls short while a leak keeps its rate. Past the warm-up the
 * growth must also exceed the drift of what the site replaced since
 * (grewBeyondReplacedError), so a store that filled and turns over does not
 * read as going on.
 */
import type { EpochState } from './engine.js';
import { UNCLASSIFIED } from './classes.js';
import type { Group } from './groups.js';
import { horizonsOf, type DetectParams } from './params.js';
import { mannKendall, stretchRate, upperNormalQuantile } from './stats.js';
import { exceedsSamplingError, sampledGrowth, type SampledSite } from './sampling.js';
import { assessTrend, type TrendVerdict } from './trend.js';

const MINUTE = 60_000;

/**
 * Growth found filling (its rate falling) at `filledFrom` is a leak only once
 * the slowing has stopped: since then it went on at a good fraction of the
 * rate it had in the window before (wentOnAfter). The reference is anchored
 * at the finding: a cache that keeps filling ever more slowly falls further
 * below it with every hour, however noisy each window's own curvature is,
 * while a leak wrongly taken for one keeps its rate and passes within
 * minutes. A window after the finding the split moves with the window: the
 * latest window against the one before it. A fill still slows from one
 * window to the next; a leak whose traffic fell for a while and came back
 * (or holds) keeps its rate from one window to the next, and is not held
 * for as long as the finding stays in a horizon. (Asking the slowing to
 * exceed the sampling error before it anchors spared noisy leaks 1–20
 * minutes, and let a held-out log-like cache warn again.) Undefined (no
 * anchor) when the points hold too little before the split to tell the
 * rate then.
 */
export function resumedAfterFilling(filledFrom: number, times: readonly number[], values: readonly number[], heapBytes: number, params: DetectParams, hours = hoursOf(times)): boolean | undefined {
  const split = Math.max(filledFrom, times.at(-1)! - params.windowMs);
  const from = times.findIndex((t) => t >= split);
  const since = Math.max(0, times.findIndex((t) => t >= split - params.windowMs));
  if (from - since < ANCHOR_MIN_POINTS) return undefined;
  const rateThen = stretchRate(hours.slice(since, from), values.slice(since, from));
  if (!(rateThen > 0)) return undefined;
  return wentOnAfter(split, times, values, hours, rateThen, heapBytes, params);
}

/**
 * A process first watched past its warm-up (heapwatch deployed beside a
 * running service, a target added late) shows no warm-up: a cache that
 * filled in its first hours shows only its slowing tail, and a window of it
 * reads as straight as a leak. The site's level at first sight says how fast
 * it grew before: a leak that began with the process grew as fast then as
 * now, a cache faster, a leak that began later slower. So growth slower than
 * `CONFIRM_RATE` of the site's average rate before first sight, beyond the
 * sampling error of both (one-sided, `SLOWING_Z`), is filling. Returns
 * that average (bytes/h) when it is, for the finding to say.
 *
 * The level also holds whatever the site loaded at start, which no growth
 * explains: a site that loaded 150 MB and then leaks 10 MB/h reads as
 * filling. So the level speaks for the past only until the watch is as long
 * as the past it stands for, and at most the second horizon (6 h), which
 * then holds only watched points. Unclassified sites only: a Kitex class's
 * site holds buffers in flight and clients made at start, a level that is
 * no record of growth. The level at first sight is the site's floor (its
 * smallest inuse since; for growth, its first).
 */
export function slowerThanBeforeFirstSight(state: EpochState, g: Group, verdict: TrendVerdict, bytesVariance: number, warmupEnd: number | undefined, params: DetectParams): number | undefined {
  if (warmupEnd === undefined || state.processStartMs === undefined || state.firstMs < warmupEnd) return undefined;
  if (g.classification.classId !== UNCLASSIFIED.id) return undefined;
  const unwatchedMs = state.firstMs - state.processStartMs;
  if (state.now - state.firstMs > Math.min(unwatchedMs, horizonsOf(params)[1] ?? params.windowMs)) return undefined;
  let before = 0;
  for (const m of g.members) before += state.series.floorOf(m.id) ?? 0;
  const spanMs = verdict.spanMs;
  const seen = (verdict.slopePerHour * spanMs) / 3_600_000;
  // What the window would have grown at CONFIRM_RATE of the rate before.
  const share = (CONFIRM_RATE * spanMs) / unwatchedMs;
  const expected = share * before;
  // Both are sampled: the window's growth, and the level at first sight.
  const variance = Math.max(1, bytesVariance) * (expected + share * share * before);
  return seen + SLOWING_Z * Math.sqrt(variance) < expected ? (before * 3_600_000) / unwatchedMs : undefined;
}

/**
 * Whether the site's growth since `from` (the warm-up's end) exceeds the
 * sampling error of the level it replaced since (sampling.ts). A store that
 * filled and now turns over (an LRU at capacity, sessions closed by a
 * timer) frees old, long-sampled bytes: its estimate wanders as they are
 * re-drawn, and a few points past the warm-up trend up at the rate of the
 * fill (round 63's timer-closed sessions: ~23 sampled ones rose 8 MB in 3
 * hours on a flat 12 MB). What it replaced since is what it kept short of
 * the share of its allocation it kept before: a leak that keeps a share of
 * what it allocates frees the rest young, whatever its traffic, and
 * replaces none of its kept level, so it is not held. (Charging all it
 * freed since to the level held two Kitex field leaks of the corpus back
 * 11 and 64 minutes and lost a third; the rate it freed at before, scaled
 * to the time since, held a leak whose traffic varied 40 minutes.) True
 * when nothing precedes `from`.
 */
export function grewBeyondReplacedError(from: number, site: SampledSite, z: number): boolean {
  const first = site.times.findIndex((t) => t >= from);
  if (first < 1) return first === 0;
  const last = site.times.length - 1;
  const allocatedOver = (a: number, b: number): number => {
    let allocated = 0;
    for (let i = a + 1; i <= b; i++) allocated += site.allocs[i]!;
    return allocated;
  };
  const allocatedBefore = allocatedOver(0, first);
  if (!(allocatedBefore > 0)) return true;
  const keptBefore = Math.min(1, Math.max(0, (site.sum[first]! - site.sum[0]!) / allocatedBefore));
  const replaced = Math.max(0, keptBefore * allocatedOver(first, last) - (site.sum[last]! - site.sum[first]!));
  const times = site.times.slice(first);
  const sum = site.sum.slice(first);
  const hours = hoursOf(times);
  const growth = stretchRate(hours, sum) * hours.at(-1)!;
  // What sampling.ts reads as freed (allocated minus grown) is what was replaced.
  return exceedsSamplingError({ ...sampledGrowth({ ...site, times, sum, allocs: site.allocs.slice(first) }, growth), allocatedBytes: Math.max(0, growth) + replaced }, z);
}

/** Points before the split that give the rate then (the fewest Mann–Kendall judges at p < 0.05). */
const ANCHOR_MIN_POINTS = 4;

export function hoursOf(times: readonly number[]): number[] {
  return times.map((t) => (t - times[0]!) / 3_600_000);
}

/**
 * Whether growth went on after `from` at nearly `rateThen` (bytes per hour
 * of `hours`, the points' times in hours). Growth that began in the
 * warm-up is a leak only if it went on after the warm-up's end at a good
 * fraction of the window's rate; growth found filling, only if it went on
 * after the finding at a good fraction of its rate then. Once `minWindowMs`
 * has passed since `from`, the points since then must also pass every check
 * on their own. Before, the few points since (at least 4, the fewest
 * Mann–Kendall judges at p < 0.05) must trend up: a confirmation of a trend
 * the whole window already showed. With `bytesVariance` (a class's site),
 * a rate since below CONFIRM_RATE of `rateThen` holds it only where the
 * shortfall exceeds the sampling error (slowerBeyondSamplingError).
 */
export function wentOnAfter(from: number, times: readonly number[], values: readonly number[], hours: readonly number[], rateThen: number, heapBytes: number, params: DetectParams, bytesVariance?: number): boolean {
  const first = times.findIndex((t) => t >= from);
  if (first < 0 || times.length - first < 4) return false;
  const postTimes = times.slice(first);
  const v = values.slice(first);
  const span = postTimes.at(-1)! - postTimes[0]!;
  // Enough points since then: every check on their own but the least
  // growth, which the window already showed (asked again of this part, it
  // holds a 3 MB/h leak back another 80 minutes). Few points over a long
  // time (a quiet service's rare GCs) get the confirmation below.
  const enough = span >= params.minWindowMs && v.length >= params.minPoints;
  if (enough ? !assessTrend(postTimes, v, heapBytes, withoutLeastGrowth(params)).growing : span < CONFIRM_SPAN_MS || !(mannKendall(v).pIncreasing < CONFIRM_P)) return false;
  // Either way, at nearly the reference rate: a bounded cache still fills
  // after the warm-up, ever more slowly, and trends on its own.
  const rateSince = stretchRate(hours.slice(first), v);
  if (rateSince >= CONFIRM_RATE * rateThen) return true;
  return bytesVariance !== undefined && !slowerBeyondSamplingError(hours, first, rateSince, rateThen, bytesVariance);
}

/**
 * Whether growth since `hours[first]` at `rateSince` fell short of
 * CONFIRM_RATE of `rateThen` (the rate over all of `hours`) by more than
 * the profiler's sampling error explains, one-sided at SLOWING_Z. Both
 * rates are sampled growth: the bytes the points since should have gained
 * (variance `bytesVariance` per byte), and the window's growth that sets the
 * reference, scaled to the time since. A site of a class's stack is slowing
 * only where this holds, as within the warm-up (engine.ts: a class's site
 * slows only beyond the sampling error): a Kitex field leak of ~10 MB/h
 * keeps ~20 sampled strings an hour, and half an hour past the warm-up its
 * estimate can run at half its rate by chance. A cache of request fields
 * that still fills past the warm-up, ever more slowly, falls further short
 * with every sample.
 */
function slowerBeyondSamplingError(hours: readonly number[], first: number, rateSince: number, rateThen: number, bytesVariance: number): boolean {
  const hoursSince = hours.at(-1)! - hours[first]!;
  const windowHours = hours.at(-1)! - hours[0]!;
  if (!(hoursSince > 0 && windowHours > 0)) return true;
  const expected = CONFIRM_RATE * rateThen * hoursSince;
  const share = (CONFIRM_RATE * hoursSince) / windowHours;
  const variance = bytesVariance * (Math.max(0, expected) + share * share * Math.max(0, rateThen * windowHours));
  return expected - rateSince * hoursSince > SLOWING_Z * Math.sqrt(variance);
}

/**
 * Confirmation of an already significant trend: a looser test on few
 * points, over a few minutes at least, at nearly the window's rate (a cache
 * that is about to fill, or slowing down, falls short).
 */
const CONFIRM_P = 0.05;
const CONFIRM_SPAN_MS = 5 * MINUTE;
export const CONFIRM_RATE = 0.75;

/**
 * One-sided significance of a slowing that holds growth at info: a falling
 * rate (rateFallsBeyondSamplingError), and growth in a process first watched
 * past its warm-up slower than before (slowerThanBeforeFirstSight). A
 * confirmation's, as it only holds a warning at info, and a leak held by
 * chance escalates once its rate is seen to go on (resumedAfterFilling). On
 * the late-start replay of the corpus 0.1 held the same caches (and one more
 * 16 minutes longer); 0.2 also held a noisy 4-minute leak back 24 minutes.
 */
export const SLOWING_Z = upperNormalQuantile(CONFIRM_P);

/**
 * The same falling rate, for growth already found filling: it stays filling
 * while its rate still falls by a standard error (one-sided 84 %), not only
 * at `SLOWING_Z`. The test runs at every scrape over nearly the same points,
 * and a cache whose fall sits near `SLOWING_Z` crossed it on one evaluation
 * by chance and warned for good (held-out round 50's log-like table at
 * minute 73, two tables beside leaks in the corpus). A leak found filling by
 * chance does not wait for its estimate to cross back: it escalates once its
 * rate is seen to go on (resumedAfterFilling). On the corpus 0.5 to 1.0
 * decide alike; 0 held a leak to its series' end, 1.3 kept a false alarm.
 */
export const STILL_SLOWING_Z = 1;

function withoutLeastGrowth(p: DetectParams): DetectParams {
  return { ...p, minGrowthBytes: 0, minGrowthRatio: 0 };
}
