/**
 * The decoded, normalised form of one heap profile. It is plain data (no
 * classes, no bigints, typed arrays for the bulk) so that it crosses the
 * worker-thread boundary by structured clone and can be written to SQLite as is.
 */
import type { ModuleVersion } from './names.js';

/** A pprof sample type (e.g. inuse_space, bytes): what one column of the stack values counts. */
export interface SampleType {
  type: string;
  unit: string;
}

/** A function of the profile; stacks refer to it by index. */
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
  /**
   * Of a heap profile: stack i's inuse bytes and objects in objects of at
   * least LARGE_OBJECT_BYTES are large[2i] and large[2i + 1]. Go keeps one
   * record per stack and object size (the sample's `bytes` label), and
   * merging them per stack would average a few large buffers with the many
   * small ones read by the same code. Absent for other profiles and for
   * profiles built by hand; readers then judge a stack by its mean object.
   */
  large?: Float64Array;
}

/**
 * From this size an object is large for the detectors: a netpoll read
 * buffer of an abnormally large request (the guide's class 5) is 1 MiB and
 * more, a normal request's a few KiB.
 */
export const LARGE_OBJECT_BYTES = 1 << 20;

/** Whether `objects` holding `bytes` are large on average: how a stack is judged where its sizes are unknown. */
export function largeOnAverage(bytes: number, objects: number): boolean {
  return objects > 0 && bytes >= LARGE_OBJECT_BYTES * objects;
}

/** Adds one sample's inuse to its stack's large-object part when its objects are large (sizes are exact: one Go record per size). */
export function addLargeInuse(large: Float64Array, stack: number, inuseBytes: number, inuseObjects: number): void {
  if (largeOnAverage(inuseBytes, inuseObjects)) {
    large[2 * stack]! += inuseBytes;
    large[2 * stack + 1]! += inuseObjects;
  }
}

/** A decoded heap profile (see above): what the decoders produce and the store, the detectors and the CLI consume. */
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

/** The sample types of a Go heap profile, in the order Go writes them. */
export const HEAP_SAMPLE_INDEXES = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'] as const;
/** One heap sample type by its pprof name (`-sample_index`). */
export type HeapSampleIndex = (typeof HEAP_SAMPLE_INDEXES)[number];

/**
 * Where each heap sample type sits in a profile's stack values and totals;
 * -1 where the profile has none. Looked up by name because pprof does not fix
 * the order (Go's is alloc_objects, alloc_space, inuse_objects, inuse_space).
 */
export type SampleColumns = Readonly<Record<HeapSampleIndex, number>>;

/** The column of every heap sample type in this profile. */
export function sampleColumns(p: Pick<HeapProfile, 'sampleTypes'>): SampleColumns {
  const at = (type: HeapSampleIndex): number => p.sampleTypes.findIndex((t) => t.type === type);
  return { alloc_objects: at('alloc_objects'), alloc_space: at('alloc_space'), inuse_objects: at('inuse_objects'), inuse_space: at('inuse_space') };
}

/** The profile's total of one heap sample type; 0 when it has none. */
export function sampleTotal(p: Pick<HeapProfile, 'sampleTypes' | 'totals'>, type: HeapSampleIndex): number {
  const i = sampleColumns(p)[type];
  return i < 0 ? 0 : (p.totals[i] ?? 0);
}

/**
 * What {@link forEachInuseStack} hands over per stack: its frames (a view,
 * leaf first), its heap values (0 for a sample type the profile lacks), and
 * the inuse of its large objects (StackTable.large; without it, all of the
 * stack's inuse when its mean object is large, else none).
 */
export type InuseStackVisitor = (frames: Uint32Array, inuseBytes: number, inuseObjects: number, allocBytes: number, allocObjects: number, largeBytes: number, largeObjects: number) => void;

/**
 * Visits every stack that holds memory (inuse bytes or objects not zero), in
 * stack order. A stack whose memory was all freed shows in alloc_* only and
 * is skipped: there is nothing in use to attribute to it. Values go as
 * arguments, not an object, so the walk allocates nothing per stack.
 */
export function forEachInuseStack(p: HeapProfile, visit: InuseStackVisitor): void {
  const c = sampleColumns(p);
  const { offsets, frames, values, large } = p.stacks;
  const width = p.sampleTypes.length;
  const at = (base: number, col: number): number => (col < 0 ? 0 : (values[base + col] ?? 0));
  for (let si = 0; si + 1 < offsets.length; si++) {
    const base = si * width;
    const bytes = at(base, c.inuse_space);
    const objects = at(base, c.inuse_objects);
    if (bytes === 0 && objects === 0) continue;
    const allLarge = largeOnAverage(bytes, objects);
    const largeBytes = large ? large[2 * si]! : allLarge ? bytes : 0;
    const largeObjects = large ? large[2 * si + 1]! : allLarge ? objects : 0;
    visit(frames.subarray(offsets[si], offsets[si + 1]), bytes, objects, at(base, c.alloc_space), at(base, c.alloc_objects), largeBytes, largeObjects);
  }
}


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

/** Packs per-stack frames and values (one entry per distinct stack) into a StackTable; `large` as StackTable.large. */
export function packStacks(stacks: readonly { frames: readonly number[]; values: readonly number[] }[], width: number, large?: Float64Array): StackTable {
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
  return large ? { offsets, frames, values, large } : { offsets, frames, values };
}
