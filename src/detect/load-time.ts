/**
 * Judging a site's shape per unit of load. A leak that keeps a record per
 * request grows with its traffic: when traffic falls for an hour (an
 * evening, a failover away), its rate falls with it, and in wall time it
 * reads exactly as a cache filling ever more slowly. What tells them apart
 * is the load: the leak keeps the same share of every request, the cache a
 * falling one. The process's allocation beside the site is the load (the
 * site's own is left out: a cache's fill is its own allocation).
 *
 * Only where the load fell, beyond its sampling error (the Laplace test of
 * sampling.ts, on its cumulative allocation) and by a material share (its
 * last third's rate at most `materialShare` of its first's), are the
 * site's points re-timed so that equal loads take equal time: same first
 * point, same span. Elsewhere wall time stands, unchanged: a steady
 * service's allocation is sampled and noisy (±25 % a scrape at 16 samples),
 * and timing a cache's fill by it blurs the slowing that wall time shows
 * (asked of every site, it raised three more warnings on the corpus's
 * caches). A load that rises is left to wall time too: a leak then grows
 * faster, which no slowing test mistakes for a fill.
 *
 * The load's rate at each point is taken over a tenth of the points around
 * it (alloc.ts: allocationRates, as the in-flight fit does). Allocation
 * that does not follow traffic (a background job, a constant refresh)
 * dilutes the load: the re-timed leak still reads as slowing, less so.
 * Pure.
 */
import { allocationRates } from './alloc.js';
import { rateFallsBeyondSamplingError } from './sampling.js';

/**
 * `times` re-spaced by the load (process allocation per point, less the
 * site's: `processAllocs[i] - siteAllocs[i]` over the interval ending at
 * point i), where the load fell (above); `times` itself (the same array)
 * otherwise. `periodBytes`: the profile's sampling period, the load's
 * variance per byte; `z`: the one-sided quantile of the fall's test.
 */
export function loadTimeAxis(times: readonly number[], processAllocs: readonly number[], siteAllocs: readonly number[], periodBytes: number, z: number, materialShare: number): readonly number[] {
  const n = times.length;
  if (n < 6) return times;
  const load = processAllocs.map((a, i) => Math.max(0, a - (siteAllocs[i] ?? 0)));
  let cumulative = 0;
  const loaded = load.map((a, i) => (i === 0 ? 0 : (cumulative += a)));
  if (!(cumulative > 0) || !rateFallsBeyondSamplingError(times, loaded, Math.max(1, periodBytes), z) || !(lastThirdShare(times, load) <= materialShare)) return times;
  const half = Math.max(1, Math.round((n - 1) / 20));
  const rates = allocationRates(times, load, half, half);
  let total = 0;
  const clock = times.map((t, i) => (i === 0 ? 0 : (total += rates[i - 1]! * (t - times[i - 1]!))));
  if (!(total > 0)) return times;
  const t0 = times[0]!;
  const span = times[n - 1]! - t0;
  return clock.map((c) => t0 + (c / total) * span);
}

/** The load's rate over the last third of the points, as a share of its rate over the first. */
function lastThirdShare(times: readonly number[], load: readonly number[]): number {
  const n = times.length;
  const third = Math.floor(n / 3);
  const rate = (from: number, to: number): number => {
    let sum = 0;
    for (let i = from + 1; i <= to; i++) sum += load[i]!;
    return sum / Math.max(1, times[to]! - times[from]!);
  };
  const first = rate(0, third);
  return first > 0 ? rate(n - 1 - third, n - 1) / first : 1;
}
