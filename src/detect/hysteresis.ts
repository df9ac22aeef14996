/**
 * Hysteresis for open findings: when has a leak stopped?
 *
 * Raising a finding takes every check of trend.ts at p < 0.001; a slow, noisy
 * leak (a few MB/h at a 5-minute interval) passes them on most evaluations,
 * not all, and used to resolve after `resolve_after` without a pass and be
 * raised again as a new finding (Alertmanager pages twice). Failing a strict
 * test is no evidence that growth stopped. An open finding therefore
 * resolves only when the points since it last passed show it:
 *
 * - their Theil–Sen slope's 95 % confidence interval (Sen 1968) includes 0,
 *   so the site may have stopped growing, and
 * - its upper bound is below the finding's rate, so it can no longer be
 *   growing at the rate it was raised at, and
 * - the growth since falls short of what the finding's rate would have
 *   added by more than the site's own scatter explains (sampling.ts:
 *   risesDispersion, over its horizon). A leak that keeps 4 MB at once on
 *   rare errors goes flat for an hour and more between its bursts by
 *   chance; Sen's interval, blind to that, read such a gap as a stop and the
 *   next burst paged again. The same test resolves a steady leak that
 *   stopped within about as long as before: its scatter is the sampling
 *   period's.
 *
 * "The finding's rate" is the rate the site's allocation since implies
 * (loadShare): a leak whose traffic fell grows slower without having stopped.
 *
 * A plateau after a fast leak rejects the rate as soon as `resolve_after` has
 * passed; noise around a slow leak keeps the interval wide and the finding
 * open until enough points have accumulated to tell. A site still growing
 * more slowly (lower bound above 0) stays open: it still leaks. Pure.
 */
import { judgedByShape } from './classes.js';
import type { EpochState } from './engine.js';
import { groupsOf, sumOver } from './groups.js';
import { horizonsOf, type DetectParams } from './params.js';
import { refillsInAnyHorizon } from './refill.js';
import { risesDispersion } from './sampling.js';
import { senSlopeInterval, upperNormalQuantile } from './stats.js';

/** An open finding's site, as the finding tracker holds it. */
export interface OpenSite {
  key: string;
  classId: string;
  function: string;
  /** The rate the finding was raised (last updated) at. */
  bytesPerHour: number;
  /** When every check last passed: the points after it are the new evidence. */
  lastSeenAt: number;
  /** The horizon the growth was judged over (evidence.horizonMinutes). */
  horizonMinutes?: number;
  /** What the site allocated a minute when the finding was raised (evidence.allocBytesPerMinute). */
  allocBytesPerMinute?: number;
}

/** Two-sided 95 %: the normal quantile of Sen's interval. */
const Z_95 = 1.959964;
/** Fewer points than this cannot bound a slope (Sen's interval spans every pairwise slope). */
const MIN_POINTS = 4;
const HOUR = 3_600_000;

/** The keys of `sites` whose growth has not been shown to stop. */
export function stillGrowing(state: EpochState, params: DetectParams, sites: readonly OpenSite[]): Set<string> {
  const out = new Set<string>();
  if (sites.length === 0) return out;
  const horizons = horizonsOf(params);
  const { series, now } = state;
  for (const site of sites) {
    // The site's stacks as its own horizon grouped them (a slow leak's
    // rise shows only over hours), its points from the finest ring.
    const found = horizons.findIndex((h) => Math.round(h / 60_000) === site.horizonMinutes);
    const h = found < 0 ? 0 : found;
    const view = series.view(h, now - horizons[h]!);
    const group = groupsOf({ series, horizon: h, view, frames: state.frames, modules: state.modules, functions: state.functions, minRise: params.minGrowthBytes / 4 }).find(
      (g) => g.classification.facts.function === site.function && g.classification.classId === site.classId,
    );
    // Its floor no longer rose over its own horizon: nothing left to hold.
    if (!group) continue;
    // It gave back most of what it held, and grows no higher again: a
    // sawtooth's tooth ended (refill.ts), where its shape may say so.
    const { classId, cls } = group.classification;
    if (judgedByShape(classId, cls.trend) && refillsInAnyHorizon(state, params, group, upperNormalQuantile(params.maxPValue))) continue;
    // Growth at the finding's rate must have had time to show: at least
    // `min_growth_bytes` of it (the least growth that raises a finding),
    // which also outweighs the sampling steps a slow site's values move in.
    const since = now - site.lastSeenAt;
    const ring = horizons.findIndex((hz) => hz >= since);
    const recent = series.view(ring < 0 ? horizons.length - 1 : ring, site.lastSeenAt);
    if (since < params.minGrowthBytes / Math.max(site.bytesPerHour, 1) * HOUR || recent.times.length < MIN_POINTS) {
      out.add(site.key);
      continue;
    }
    const recentRing = ring < 0 ? horizons.length - 1 : ring;
    const values = sumOver(series, recentRing, group.members, recent);
    const hours = recent.times.map((t) => (t - recent.times[0]!) / HOUR);
    const ci = senSlopeInterval(hours, values, Z_95);
    const rate = site.bytesPerHour * loadShare(site, recent.times, sumOver(series, recentRing, group.members, recent, 'allocated'));
    const mayHaveStopped = ci.lower <= 0 && ci.upper < rate;
    // Only then is the scatter worth its cost: the whole horizon's points.
    const scatter = mayHaveStopped ? risesDispersion(view.times, sumOver(series, h, group.members, view)) : 0;
    if (!(mayHaveStopped && shortOfItsRate(rate, since, values.at(-1)! - values[0]!, scatter))) out.add(site.key);
  }
  return out;
}

/**
 * The share of its allocation rate at the finding that the site allocated
 * at since (at most 1): a leak keeps a share of what its site allocates, so
 * when its traffic falls (an evening, a dip) it grows that much slower
 * without having stopped, and is held to that much less. A site that still
 * allocates as before and gained nothing (a cache now full, replacing its
 * entries) is held to its whole rate. 1 where the finding saw no
 * allocation (pushed godeltaprof heaps carry none).
 */
function loadShare(site: OpenSite, times: readonly number[], allocated: readonly number[]): number {
  const atFinding = site.allocBytesPerMinute;
  if (!(atFinding !== undefined && atFinding > 0) || times.length < 2) return 1;
  let bytes = 0;
  for (let i = 1; i < allocated.length; i++) bytes += allocated[i]!;
  const perMinute = bytes / ((times.at(-1)! - times[0]!) / 60_000);
  return Math.min(1, perMinute / atFinding);
}

/**
 * Whether `grown` bytes over `sinceMs` fall short of the finding's rate
 * beyond chance (two-sided 95 %), for growth that scatters `dispersion`
 * bytes per byte (compound Poisson: each burst's size). The site's whole
 * horizon gives the scatter, its stop included: a stop adds at most the
 * rate per point times the share of the points since, little beside a
 * bursty leak's and no hiding place for a steady leak's. A horizon that
 * gained nothing scatters 0, and the interval decides alone.
 */
function shortOfItsRate(bytesPerHour: number, sinceMs: number, grown: number, dispersion: number): boolean {
  const expected = (bytesPerHour * sinceMs) / HOUR;
  return expected - grown > Z_95 * Math.sqrt(dispersion * expected);
}
