/**
 * A site that gave back most of what it held, in this process, and now grows
 * again no higher than it stood before: a spool flushed every so often, a
 * batch loaded and dropped, a buffer cleared on a timer. It is a sawtooth,
 * and its teeth can outlast the window: judged from the last release (trend.ts:
 * growthOnset) or over a window inside one tooth, each tooth reads as a leak.
 * A leak never gives back what it kept (a restart is a new epoch), so its
 * level soon rises above anything the site released; until it does, its
 * growth is explained by the site's own cycle. A site that keeps part of
 * each cycle (its troughs rise: a flush that forgets some records) leaks
 * inside its sawtooth, and is judged as any other site.
 */
import type { EpochState } from './engine.js';
import { meanObjectBytesOf, sumOver, type Group } from './groups.js';
import { horizonsOf, type DetectParams } from './params.js';
import { arrivalVariancePerByte, GO_DEFAULT_SAMPLING_PERIOD } from './sampling.js';

/**
 * Whether site `g` refills what it released, over any horizon that holds its
 * history: a tooth longer than the window shows its release only in a longer
 * one, a short tooth only at the window's resolution. Sites whose class says
 * what they are (classes.ts: judgedByShape) are the caller's to leave out.
 */
export function refillsInAnyHorizon(state: EpochState, params: DetectParams, g: Group, z: number): boolean {
  const variance = arrivalVariancePerByte(meanObjectBytesOf(state.series, g.members), state.samplingPeriod ?? GO_DEFAULT_SAMPLING_PERIOD);
  const horizons = horizonsOf(params);
  const readings = horizons.map((horizonMs, h) => {
    if (h > 0 && state.now - state.firstMs <= horizons[h - 1]!) return undefined;
    const view = state.series.view(h, state.now - horizonMs);
    return cycleOf(sumOver(state.series, h, g.members, view), variance, z, { times: view.times, bytes: sumOver(state.series, h, g.members, view, 'allocated') });
  });
  // Rising troughs over any horizon (the longer ones see more cycles) outweigh a refill seen in another.
  return !readings.includes('keeps-part-of-each-cycle') && readings.includes('refilling');
}

/** What a site's points say of a cycle: none seen (undefined), a refill, or a leak inside it. */
export type Cycle = 'refilling' | 'keeps-part-of-each-cycle' | undefined;

/**
 * The cycle in `values` (one site's in-use bytes, oldest first). A release
 * is a fall to half or less of the highest level before it, beyond the
 * sampling error of both; its trough, the lowest level before the site is
 * back above that half. The latest value not above the level released from,
 * beyond the same error, is a refill, unless the latest trough is above the
 * first beyond it: then each cycle left something behind. `bytesVariance` is
 * the sampled estimate's variance per byte (sampling.ts); levels on either
 * side of a release are independent draws, since it freed the objects that
 * were sampled. One-sided at `z`.
 *
 * `allocated` (bytes the site allocated in the interval ending at each
 * point, at `times`): a fall that the site's allocation rate made too is
 * load leaving, not a release. Memory in flight is its allocation rate times
 * how long it is held, so when traffic halves, so does the level of a site
 * that decodes requests, while a spool flushed at a steady rate keeps
 * allocating as before. A fall counts as a release only where the rate from
 * the fall on is above half the rate at the peak (or no allocation was seen:
 * pushed godeltaprof profiles carry none).
 */
export function cycleOf(values: readonly number[], bytesVariance: number, z: number, allocated?: { times: readonly number[]; bytes: readonly number[] }): Cycle {
  let peak = -Infinity;
  let peakAt = 0;
  const releases: { from: number; trough: number }[] = [];
  let inTrough = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0 && v <= peak / 2 && beyondError(peak - v, peak + v, bytesVariance, z) && !(allocated && loadFell(allocated, peakAt, i))) {
      if (inTrough) releases.at(-1)!.trough = Math.min(releases.at(-1)!.trough, v);
      else releases.push({ from: peak, trough: v });
      inTrough = true;
    } else if (v > peak / 2) {
      inTrough = false;
    }
    if (v > peak) {
      peak = v;
      peakAt = i;
    }
  }
  const last = releases.at(-1);
  if (last === undefined) return undefined;
  const first = releases[0]!;
  if (beyondError(last.trough - first.trough, last.trough + first.trough, bytesVariance, z)) return 'keeps-part-of-each-cycle';
  const now = values.at(-1)!;
  return beyondError(now - last.from, now + last.from, bytesVariance, z) ? undefined : 'refilling';
}

/** Points whose allocation rate is averaged: a few, so one noisy interval does not decide. */
const RATE_POINTS = 3;

/**
 * Whether the allocation rate from point `at` on (the intervals ending there
 * and after) is half or less of the rate at the peak (the intervals ending
 * at `peakAt`, or the first ones after it when the view starts there), the
 * two spans apart.
 */
function loadFell({ times, bytes }: { times: readonly number[]; bytes: readonly number[] }, peakAt: number, at: number): boolean {
  const peakEnd = Math.max(peakAt, Math.min(RATE_POINTS, at - 1));
  const atPeak = rateOver(times, bytes, Math.max(1, peakEnd - RATE_POINTS + 1), peakEnd);
  const after = rateOver(times, bytes, at, Math.min(times.length - 1, at + RATE_POINTS - 1));
  return atPeak > 0 && after <= atPeak / 2;
}

/** Bytes per ms over the intervals ending at points `from`..`to` (the first point's interval is not in the view). */
function rateOver(times: readonly number[], bytes: readonly number[], from: number, to: number): number {
  if (from < 1 || to < from) return 0;
  let sum = 0;
  for (let j = from; j <= to; j++) sum += bytes[j]!;
  const span = times[to]! - times[from - 1]!;
  return span > 0 ? sum / span : 0;
}

function beyondError(difference: number, bytes: number, bytesVariance: number, z: number): boolean {
  return difference > z * Math.sqrt(bytesVariance * Math.max(0, bytes));
}
