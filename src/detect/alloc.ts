/**
 * Allocation context of a growing series, from the alloc_space deltas every
 * heap profile carries. Pure.
 *
 * Two models of what the inuse bytes of an allocation site are:
 * - it follows load: inuse is proportional to the site's current allocation
 *   rate (in-flight requests, buffers, per-request strings). When traffic
 *   ramps up and holds, inuse rises and holds with it;
 * - it retains: inuse is a share of everything the site allocated so far
 *   (cumulative allocation). A leak keeps its share whatever the rate.
 * Whichever model explains the series better (least squares) decides, and
 * where neither is clearly better, a fit of both at once asks whether the
 * site keeps anything beyond what its load holds (retainedBeyondLoad).
 * And where it retains, whether its share holds (a leak) or falls as a
 * bound nears (a cache that replaces entries): keptShareByThird.
 */

import { theilSen } from './stats.js';

export interface AllocContext {
  /** Bytes the site allocated per minute over the window. */
  allocBytesPerMinute: number;
  /** Growth per hour as a share of allocation per hour (0..1 for a leak). */
  keptShare: number;
  /** Inuse tracks the allocation rate better than the cumulative allocation. */
  followsLoad: boolean;
  /**
   * t statistic of the share kept of the cumulative allocation, fitted
   * together with the allocation rate (retainedBeyondLoad): how surely the
   * site keeps memory beyond what its load holds in flight.
   */
  retentionT: number;
}

/**
 * `times` (ms) and `inuse` at each point, `allocs` the bytes allocated in the
 * interval ending at each point (the first is ignored). `undefined` when the
 * site's allocation was not seen (no alloc samples).
 */
export function allocContext(times: readonly number[], inuse: readonly number[], allocs: readonly number[], slopePerHour: number): AllocContext | undefined {
  const n = times.length;
  if (n < 4) return undefined;
  let total = 0;
  for (let i = 1; i < n; i++) total += allocs[i]!;
  const spanMs = times[n - 1]! - times[0]!;
  if (!(total > 0) || !(spanMs > 0)) return undefined;
  const perHour = total / (spanMs / 3_600_000);
  // Rates smoothed over three intervals: sampled alloc deltas are noisy.
  const rates = allocationRates(times, allocs, 2, 0);
  const cumulative: number[] = [];
  let cum = 0;
  for (let i = 1; i < n; i++) {
    cum += allocs[i]!;
    cumulative.push(cum);
  }
  const ys = inuse.slice(1);
  const sseRate = residual(rates, ys);
  const sseCumulative = residual(cumulative, ys);
  return {
    allocBytesPerMinute: perHour / 60,
    keptShare: Math.max(0, slopePerHour) / perHour,
    followsLoad: sseRate < 0.5 * sseCumulative,
    retentionT: retainedBeyondLoad(allocationRates(times, allocs, centredHalf(n), centredHalf(n)), cumulative, ys),
  };
}

/** Sum of squared residuals of the least-squares line y = a + b x. */
export function residual(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  return sxx > 0 ? Math.max(0, syy - (sxy * sxy) / sxx) : syy;
}

/** "allocates 3.1 MB/min, keeps 40 MB/h" */
export function describeAllocation(ctx: AllocContext, slopePerHour: number): string {
  const perMin = ctx.allocBytesPerMinute / 1e6;
  const keep = slopePerHour / 1e6;
  const f = (x: number): string => (x >= 10 ? String(Math.round(x)) : x.toFixed(1));
  return `allocates ${f(perMin)} MB/min, keeps ${f(keep)} MB/h`;
}

/** The share a site kept of what it allocated in the first and last third of a window, and the bytes it allocated in each. */
export interface KeptShares {
  first: number;
  last: number;
  firstAllocated: number;
  lastAllocated: number;
  /**
   * Bytes kept per byte the whole process allocated (its load), in the first
   * and the last third; undefined where the process's allocation was not seen.
   */
  firstKeptPerLoad?: number;
  lastKeptPerLoad?: number;
}

/**
 * The share of each allocated byte a site keeps, early and late in the
 * window: the Theil–Sen slope of inuse against cumulative allocation in the
 * first and the last third, and the bytes allocated in each. A leak keeps
 * the same share whatever the rate, so the two agree; a cache that fills
 * keeps less and less of what it allocates as it nears its bound (it
 * replaces entries), even when a rising load keeps its growth in time
 * straight. `loadAllocs`, the whole process's allocation per point, gives
 * what it kept per unit of load in each third. `undefined` when a third has
 * too few points or allocated nothing.
 */
export function keptShareByThird(inuse: readonly number[], allocs: readonly number[], loadAllocs?: readonly number[]): KeptShares | undefined {
  const n = inuse.length;
  const third = Math.floor(n / 3);
  if (third < 4) return undefined;
  const cumulative: number[] = [0];
  for (let i = 1; i < n; i++) cumulative.push(cumulative[i - 1]! + allocs[i]!);
  const share = (from: number, to: number): { share: number; allocated: number } | undefined => {
    const xs = cumulative.slice(from, to);
    const allocated = xs.at(-1)! - xs[0]!;
    return allocated > 0 ? { share: theilSen(xs, inuse.slice(from, to)), allocated } : undefined;
  };
  const first = share(0, third);
  const last = share(n - third, n);
  if (!first || !last) return undefined;
  const shares: KeptShares = { first: first.share, last: last.share, firstAllocated: first.allocated, lastAllocated: last.allocated };
  // A third's load: what the process allocated over the intervals the
  // third's shares span (the first point's interval is before the window).
  const load = (from: number, to: number): number => (loadAllocs ?? []).slice(from + 1, to).reduce((a, b) => a + b, 0);
  const firstLoad = load(0, third);
  const lastLoad = load(n - third, n);
  if (firstLoad > 0 && lastLoad > 0) {
    shares.firstKeptPerLoad = (first.share * first.allocated) / firstLoad;
    shares.lastKeptPerLoad = (last.share * last.allocated) / lastLoad;
  }
  return shares;
}

/**
 * Whether the kept share fell, by half at least and by more than sampling
 * explains: each third's allocation is seen as about `allocated /
 * bytesPerSample` sampled objects (sampling.ts: variancePerByte), each kept
 * or freed, so the two shares are compared as two proportions at the
 * one-sided quantile `z`.
 *
 * And only where the site also keeps less per unit of the process's load. A
 * cache nearing its bound does: it admits as much per request and evicts
 * more. A site whose kept objects allocate on their own does not: Kitex
 * clients created per request and never closed each keep working in the
 * background, so the site's allocation grows with the clients it keeps
 * (recorded in real time: 9x over 90 minutes, under a steady load) and its
 * share falls from 1.0 to 0.3 while it keeps 3x more per unit of the
 * process's allocation. Over the corpus the share halved 518 times (on 64
 * series); this turned down 144, 132 of them on 21 leak series, and 12 on
 * two caches (a FIFO filling under restarts, one under netpoll v0.6.1's
 * no-copy reads), which other signals still hold at info.
 */
export function keepsFallingShare(k: KeptShares, bytesPerSample: number, z: number): boolean {
  const first = Math.min(1, Math.max(0, k.first));
  const last = Math.min(1, Math.max(0, k.last));
  if (!(first > 0) || last > KEPT_SHARE_FALL * first) return false;
  if (k.firstKeptPerLoad !== undefined && k.lastKeptPerLoad !== undefined && k.lastKeptPerLoad >= KEPT_PER_LOAD_HELD * k.firstKeptPerLoad) return false;
  const n1 = k.firstAllocated / bytesPerSample;
  const n2 = k.lastAllocated / bytesPerSample;
  const pooled = (first * n1 + last * n2) / (n1 + n2);
  // The z-test's own validity condition: at least 5 expected kept and 5
  // expected freed samples in each third. (Early in a leak, a dozen samples
  // that were all kept say little.)
  if (Math.min(n1, n2) * Math.min(pooled, 1 - pooled) < 5) return false;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return first - last > z * se;
}

/**
 * How far the share must fall besides being significant: a leak's share
 * moves with its traffic mix from one third to the next; a cache that nears
 * its bound within a window keeps half or less of its early share (the two
 * recorded full caches: 21-33 % of 100 %).
 */
const KEPT_SHARE_FALL = 0.5;

/**
 * What "keeps less per unit of load" asks of the last third against the
 * first: below 3/4, the fraction of its rate a leak's growth must keep to
 * be confirmed past the warm-up (confirm.ts: CONFIRM_RATE).
 */
const KEPT_PER_LOAD_HELD = 0.75;

/**
 * The t statistic of c in inuse = a + b rate + c cumulative (least squares).
 * In-flight memory is the allocation rate times how long it lives (Little's
 * law), so b absorbs whatever follows load, however the load moves; c is
 * the share the site keeps of all it allocated, beyond that. A leak keeps a
 * share (c > 0 at any load); in-flight memory under a daily traffic curve
 * rises for hours with the rate and has none. Where the two regressors
 * cannot be told apart (a load growing exponentially), c is not
 * significant. Infinity when undetermined (fewer than 5 points, no spread).
 */
export function retainedBeyondLoad(rates: readonly number[], cumulative: readonly number[], inuse: readonly number[]): number {
  const n = rates.length;
  if (n < 5) return Infinity;
  const mr = mean(rates);
  const mc = mean(cumulative);
  const mu = mean(inuse);
  let srr = 0;
  let scc = 0;
  let src = 0;
  let sru = 0;
  let scu = 0;
  let suu = 0;
  for (let i = 0; i < n; i++) {
    const r = rates[i]! - mr;
    const c = cumulative[i]! - mc;
    const u = inuse[i]! - mu;
    srr += r * r;
    scc += c * c;
    src += r * c;
    sru += r * u;
    scu += c * u;
    suu += u * u;
  }
  const det = srr * scc - src * src;
  if (!(det > 0)) return Infinity;
  const b = (scc * sru - src * scu) / det;
  const c = (srr * scu - src * sru) / det;
  const variance = Math.max(0, suu - b * sru - c * scu) / (n - 3);
  const se = Math.sqrt((variance * srr) / det);
  return se > 0 ? c / se : c > 0 ? Infinity : 0;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * The allocation rate at each point but the first, over the intervals from
 * `back` before it to `ahead` after it. The fit of rate and cumulative
 * allocation at once takes a tenth of the window centred on each point
 * (centredHalf): load moves over tens of minutes to hours, and a single
 * interval's sampled allocation is noisy (noise in a regressor shrinks its
 * coefficient and hands what it explains to the other one).
 */
export function allocationRates(times: readonly number[], allocs: readonly number[], back: number, ahead: number): number[] {
  const n = times.length;
  const out: number[] = [];
  for (let i = 1; i < n; i++) {
    const from = Math.max(1, i - back);
    const to = Math.min(n - 1, i + ahead);
    let a = 0;
    for (let j = from; j <= to; j++) a += allocs[j]!;
    const dt = times[to]! - times[from - 1]!;
    out.push(dt > 0 ? a / dt : 0);
  }
  return out;
}

/** Half of a tenth of a window of n points, at least one interval. */
function centredHalf(n: number): number {
  return Math.max(1, Math.round((n - 1) / 20));
}
