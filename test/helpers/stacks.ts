/**
 * Readable views of a decoded HeapProfile's column-form stacks, for tests'
 * assertions and oracles (clarity over speed; the daemon never needs them).
 */
import { sampleColumns, stackCount, stackFrames, type HeapProfile } from '../../src/pprof/profile.js';

/** The stacks as one object each. */
export function unpackStacks(p: HeapProfile): { frames: number[]; values: number[] }[] {
  const width = p.sampleTypes.length;
  return Array.from({ length: stackCount(p) }, (_, i) => ({
    frames: Array.from(stackFrames(p, i)),
    values: Array.from(p.stacks.values.subarray(i * width, (i + 1) * width)),
  }));
}

/** Flat inuse bytes and objects per function index: what the store keeps per scrape. */
export function flatInuse(profile: HeapProfile): { bytes: Float64Array; objects: Float64Array } {
  const { inuse_space: bi, inuse_objects: oi } = sampleColumns(profile);
  const bytes = new Float64Array(profile.functions.length);
  const objects = new Float64Array(profile.functions.length);
  const { offsets, frames, values } = profile.stacks;
  const width = profile.sampleTypes.length;
  for (let si = 0; si < offsets.length - 1; si++) {
    if (offsets[si + 1] === offsets[si]) continue; // frameless: in the total only
    const leaf = frames[offsets[si]!]!;
    bytes[leaf]! += values[si * width + bi] ?? 0;
    objects[leaf]! += values[si * width + oi] ?? 0;
  }
  return { bytes, objects };
}
