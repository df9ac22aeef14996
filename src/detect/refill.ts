/**
 * A site that gave back most of what it held, in this process, and now grows
 * again no higher than it stood before: a spool flushed every so often, a
 * batch loaded and dropped, a buffer cleared on a timer. It is a sawtooth,
 * and its teeth can outlast the window: judged from the last release (trend.ts:
 * growthOnset) or over a window inside one tooth, each tooth reads as a leak.
 * A leak never gives back what it kept (a restart is a new epoch), so its
 * level soon rises above anything the site released; until it does, its
 * growth is explained by the site's own cycle.
 */
import type { EpochState } from './engine.js';
import type { Group } from './groups.js';
import { horizonsOf, type DetectParams } from './params.js';
import { arrivalVariancePerByte, GO_DEFAULT_SAMPLING_PERIOD } from './sampling.js';

/**
 * Whether site `g` refills what it released, over any horizon that holds its
 * history: a tooth longer than the window shows its release only in a longer
 * one, a short tooth only at the window's resolution. Retained classes (their
 * buffers come and go by design, and their floor is what they are judged on)
 * are the caller's to leave out.
 */
export function refillsInAnyHorizon(state: EpochState, params: DetectParams, g: Group, z: number): boolean {
  let bytes = 0;
  let objects = 0;
  for (const m of g.members) {
    bytes += state.series.lastBytes(m.slot);
    objects += state.series.lastObjects(m.slot);
  }
  const variance = arrivalVariancePerByte(objects > 0 ? bytes / objects : undefined, state.samplingPeriod ?? GO_DEFAULT_SAMPLING_PERIOD);
  const horizons = horizonsOf(params);
  return horizons.some((horizonMs, h) => {
    if (h > 0 && state.now - state.firstMs <= horizons[h - 1]!) return false;
    const view = state.series.view(h, state.now - horizonMs);
    const values = new Array<number>(view.times.length).fill(0);
    for (const m of g.members) state.series.inuse(h, m.slot, view).forEach((v, i) => (values[i] = values[i]! + v));
    return refillsWhatItReleased(values, variance, z);
  });
}

/**
 * Whether `values` (one site's in-use bytes, oldest first) fell to half or
 * less of the highest level before it, beyond the sampling error of both
 * (a release), and the latest value is not above that level beyond the same
 * error. `bytesVariance` is the sampled estimate's variance per byte
 * (sampling.ts); the two levels are independent draws, since a release
 * frees the objects that were sampled. One-sided at `z`.
 */
export function refillsWhatItReleased(values: readonly number[], bytesVariance: number, z: number): boolean {
  let peak = -Infinity;
  let releasedFrom: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0 && v <= peak / 2 && beyondError(peak - v, peak + v, bytesVariance, z)) releasedFrom = peak;
    peak = Math.max(peak, v);
  }
  if (releasedFrom === undefined) return false;
  const now = values.at(-1)!;
  return !beyondError(now - releasedFrom, now + releasedFrom, bytesVariance, z);
}

function beyondError(difference: number, bytes: number, bytesVariance: number, z: number): boolean {
  return difference > z * Math.sqrt(bytesVariance * Math.max(0, bytes));
}
