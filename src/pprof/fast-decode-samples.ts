/**
 * Pass 2 of the fast decoder: each sample is read into reusable typed arrays,
 * its location ids expanded to function frames as it goes, and stacks are
 * interned by a numeric hash of those frames, so only a stack seen for the
 * first time allocates.
 */
import { malformed, type ProfileIndex } from './fast-decode-index.js';
import type { LocationTable } from './fast-decode-tables.js';
import { FRAMES_PER_BYTE } from './inflate.js';
import { addLargeInuse, LARGE_OBJECT_BYTES, type SampleColumns, type StackTable } from './profile.js';
import type { FieldKinds, ProtoReader } from './protobuf.js';

const SAMPLE_FIELDS: FieldKinds = 'ppm';
const LABEL_FIELDS: FieldKinds = 'vvvv';

/**
 * Pass 2: reads every sample, merges samples with identical frames into one
 * stack (first-seen order), and sums values per sample in file order like
 * the reference, so even sums past 2^53 round identically. Stacks go straight
 * into the column-form StackTable's growing typed arrays.
 */
export function internStacks(r: ProtoReader, ix: ProfileIndex, reader: SampleReader, width: number, columns: SampleColumns): { stacks: StackTable; totals: number[] } {
  const totals = new Array<number>(width).fill(0);
  const nSamples = ix.sampleStart.length;
  // At most one stack per sample (a sample is at least 2 bytes, so this is
  // bounded by the profile's size). Frames and values grow with the stacks
  // actually found: sized by samples x sample types up front, a crafted
  // profile with many of both would ask for terabytes.
  const offsets = new Uint32Array(nSamples + 1);
  let values = new Float64Array(Math.min(nSamples, 1024) * width);
  // Heap profiles only (a goroutine profile has no inuse columns): StackTable.large,
  // from the few samples of large objects (stack, bytes, objects), gathered
  // apart so the loop's common path stays as it was (growing a third array
  // with the stacks cost big profiles 10-20 %).
  const heap = columns.inuse_space >= 0 && columns.inuse_objects >= 0;
  const spaceAt = columns.inuse_space;
  const objectsAt = columns.inuse_objects;
  const largeSamples: number[] = [];
  let frames = new Uint32Array(4096);
  let nStacks = 0;
  let mask = 15;
  while (mask < nSamples * 2) mask = mask * 2 + 1;
  // Open addressing with linear probing; each slot holds (stack index + 1, hash) side by
  // side, so a probe touches one cache line and only a full hash match reads the stack.
  const table = new Int32Array(2 * (mask + 1));
  // A per-call random seed, so crafted input cannot aim every stack at one hash chain.
  const seed = (Math.random() * 0x100000000) | 0;

  for (let s = 0; s < nSamples; s++) {
    reader.read(r, ix.sampleStart[s]!, ix.sampleEnd[s]!);
    if (reader.nVal !== width) malformed(`sample has ${reader.nVal} values for ${width} sample types`);
    const sample = reader.frames;
    const n = reader.nFrames;
    let h = seed;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ sample[k]!, 0x01000193) ^ (h >>> 15);
    h = fmix32(h ^ n);

    let slot = h & mask;
    let stack = -1;
    for (let t = table[2 * slot]!; t !== 0; t = table[2 * slot]!) {
      if (table[2 * slot + 1] === h && sameFrames(frames, offsets[t - 1]!, offsets[t]!, sample, n)) {
        stack = t - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (stack < 0) {
      stack = nStacks++;
      const at = offsets[stack]!;
      if (at + n > frames.length) {
        const grown = new Uint32Array(Math.max(frames.length * 2, at + n));
        grown.set(frames.subarray(0, at));
        frames = grown;
      }
      for (let k = 0; k < n; k++) frames[at + k] = sample[k]!;
      offsets[stack + 1] = at + n;
      if (nStacks * width > values.length) {
        const grown = new Float64Array(Math.max(values.length * 2, nStacks * width));
        grown.set(values);
        values = grown;
      }
      table[2 * slot] = nStacks;
      table[2 * slot + 1] = h;
    }
    const vals = reader.vals;
    const base = stack * width;
    for (let i = 0; i < width; i++) {
      const v = vals[i]!;
      values[base + i]! += v;
      totals[i]! += v;
    }
    if (heap) {
      const objects = vals[objectsAt]!;
      if (objects > 0 && vals[spaceAt]! >= LARGE_OBJECT_BYTES * objects) largeSamples.push(stack, vals[spaceAt]!, objects);
    }
  }
  let large: Float64Array | undefined;
  if (heap) {
    large = new Float64Array(2 * nStacks);
    for (let k = 0; k < largeSamples.length; k += 3) addLargeInuse(large, largeSamples[k]!, largeSamples[k + 1]!, largeSamples[k + 2]!);
  }
  // Trimmed copies: the decoded profile is copied to the main thread, so it should hold no slack.
  return {
    stacks: {
      offsets: offsets.slice(0, nStacks + 1),
      frames: frames.slice(0, offsets[nStacks]),
      values: values.slice(0, nStacks * width),
      ...(large ? { large } : {}),
    },
    totals,
  };
}

/**
 * Reads one sample at a time into reusable buffers: its location ids are
 * expanded to frames as they are read (no intermediate id list), its values
 * go to a Float64Array. Without a location table it only checks the wire format.
 */
export class SampleReader {
  frames = new Int32Array(256);
  nFrames = 0;
  readonly vals: Float64Array;
  nVal = 0;

  constructor(
    maxSampleBytes: number,
    private readonly locs: LocationTable | undefined,
    /** Frames that may still be produced, over all samples (see FRAMES_PER_BYTE). */
    private budget: number,
  ) {
    // A value takes at least one byte, so this bounds a sample's values.
    this.vals = new Float64Array(maxSampleBytes);
  }

  /** Reads location ids and values, packed or not; repeated occurrences append in order. */
  read(r: ProtoReader, start: number, end: number): void {
    r.pos = start;
    this.nFrames = 0;
    let nVal = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((1 << 3) | 2)) {
        const stop = r.lenEnd(end);
        while (r.pos < stop) this.location(r.varint(stop));
      } else if (tag === ((2 << 3) | 2)) {
        const stop = r.lenEnd(end);
        while (r.pos < stop) this.vals[nVal++] = r.varint(stop);
      } else if (tag === ((1 << 3) | 0)) this.location(r.varint(end));
      else if (tag === ((2 << 3) | 0)) this.vals[nVal++] = r.varint(end);
      else if (tag === ((3 << 3) | 2)) r.skipMessage(r.lenEnd(end), LABEL_FIELDS);
      else r.skipField(tag, end, SAMPLE_FIELDS);
    }
    this.nVal = nVal;
  }

  private location(id: number): void {
    const locs = this.locs;
    if (locs === undefined) return;
    const li = locs.byId.get(id);
    if (li < 0) malformed(`sample names missing location ${id}`);
    const from = locs.span[2 * li]!;
    const len = locs.span[2 * li + 1]!;
    this.budget -= len;
    if (this.budget < 0) malformed(`samples expand to more than ${FRAMES_PER_BYTE} frames per profile byte`);
    let n = this.nFrames;
    let frames = this.frames;
    if (n + len > frames.length) {
      const grown = new Int32Array(Math.max(frames.length * 2, n + len));
      grown.set(frames.subarray(0, n));
      this.frames = frames = grown;
    }
    const src = locs.frames;
    for (let k = 0; k < len; k++) frames[n++] = src[from + k]!;
    this.nFrames = n;
  }
}

/** Whether stored frames[from .. to) equal the sample's first n frames. */
function sameFrames(frames: Uint32Array, from: number, to: number, sample: Int32Array, n: number): boolean {
  if (to - from !== n) return false;
  for (let i = 0; i < n; i++) if (frames[from + i] !== sample[i]) return false;
  return true;
}

/** MurmurHash3's finaliser: spreads the low-entropy product into the low bits used as the slot. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
