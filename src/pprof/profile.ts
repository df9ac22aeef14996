/**
 * The decoded, normalised form of one heap profile. It is plain data (no
 * classes, no bigints, typed arrays for the bulk) so that it crosses the
 * worker-thread boundary by structured clone and can be written to SQLite as is.
 */
import type { ModuleVersion } from './names.js';

export interface SampleType {
  type: string;
  unit: string;
}

export interface ProfileFunction {
  /** Normalised name (generic type parameters dropped). Unique in a profile. */
  name: string;
  filename: string;
}

/**
 * A profile's distinct stacks in column form: three typed arrays instead of
 * an object per stack. A big profile has tens of thousands of stacks; one
 * object (and two arrays) each was most of the decoder's allocation, and of
 * the cost of copying a decoded profile from the decoder thread, where typed
 * arrays are copied as one block each.
 */
export interface StackTable {
  /** Stack i's frames are frames[offsets[i] .. offsets[i + 1]); length = stacks + 1. */
  offsets: Uint32Array;
  /** Function indexes, leaf (allocation site) first, inlined frames expanded. */
  frames: Uint32Array;
  /** Stack i's value of sample type j (summed over its samples) is values[i * sampleTypes.length + j]. */
  values: Float64Array;
}

export interface HeapProfile {
  /** Profile time (ms since the epoch); 0 when the profile carries none. */
  timeMs: number;
  durationNanos: number;
  period: number;
  sampleTypes: SampleType[];
  functions: ProfileFunction[];
  stacks: StackTable;
  /** Build id of the main binary's mapping (the first mapping), '' when absent. */
  buildId: string;
  modules: ModuleVersion[];
  /** Sum of each sample type over all samples. */
  totals: number[];
}

export const HEAP_SAMPLE_INDEXES = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'] as const;
export type HeapSampleIndex = (typeof HEAP_SAMPLE_INDEXES)[number];


export function stackCount(p: HeapProfile): number {
  return p.stacks.offsets.length - 1;
}

/** Stack i's frames, leaf first (a view, not a copy). */
export function stackFrames(p: HeapProfile, i: number): Uint32Array {
  return p.stacks.frames.subarray(p.stacks.offsets[i], p.stacks.offsets[i + 1]);
}

/** Stack i's value of sample type j. */
export function stackValue(p: HeapProfile, i: number, j: number): number {
  return p.stacks.values[i * p.sampleTypes.length + j] ?? 0;
}

/** The stacks as one object each: for tests and reports, where clarity beats speed. */
export function unpackStacks(p: HeapProfile): { frames: number[]; values: number[] }[] {
  const width = p.sampleTypes.length;
  return Array.from({ length: stackCount(p) }, (_, i) => ({
    frames: Array.from(stackFrames(p, i)),
    values: Array.from(p.stacks.values.subarray(i * width, (i + 1) * width)),
  }));
}

/** Packs per-stack frames and values (one entry per distinct stack) into a StackTable. */
export function packStacks(stacks: readonly { frames: readonly number[]; values: readonly number[] }[], width: number): StackTable {
  const offsets = new Uint32Array(stacks.length + 1);
  let n = 0;
  stacks.forEach((s, i) => {
    n += s.frames.length;
    offsets[i + 1] = n;
  });
  const frames = new Uint32Array(n);
  const values = new Float64Array(stacks.length * width);
  stacks.forEach((s, i) => {
    frames.set(s.frames, offsets[i]);
    for (let j = 0; j < width; j++) values[i * width + j] = s.values[j] ?? 0;
  });
  return { offsets, frames, values };
}
