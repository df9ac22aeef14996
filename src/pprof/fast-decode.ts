/**
 * A fast drop-in for `decodeHeapProfile`: same input, the same HeapProfile
 * (deepStrictEqual), the same error codes, several times less CPU.
 *
 * pprof-format allocates an object per sample, location, line and string and
 * a subarray per field; that is most of the reference's time. Here the
 * inflated bytes are read with a hand-written protobuf reader (./protobuf.ts)
 * in two passes. Pass 1 walks the top-level message once, decodes the small
 * tables (sample types, functions, locations, first mapping) into flat number
 * arrays and only records where samples and strings lie. Pass 2 reads each
 * sample into reusable typed arrays, expanding location ids to function
 * frames as it goes, and interns stacks by a numeric hash of those frames, so
 * only a stack seen for the first time allocates. Strings are decoded lazily,
 * and only those referenced (names, filenames, sample types, build id).
 *
 * Stacks are interned by frames, not by location ids: Go writes one sample
 * per runtime bucket (a unique PC stack), so location lists rarely repeat;
 * what repeats is the function-level stack, which the reference merges on.
 *
 * On malformed wire data this decoder is stricter than pprof-format, which
 * silently clips truncated fields; fast-decode.test.ts lists the differences.
 */
import { HeapwatchError } from '../errors.js';
// FRAMES_PER_BYTE: the reference's cap on frames expanded from samples; sharing it keeps the same inputs rejected.
import { checkProfileCounts, FRAMES_PER_BYTE, inflateProfile, type DecodeLimits } from './inflate.js';
import { dropTypeParameters, moduleFromFilename, type ModuleVersion } from './names.js';
import { PROFILE_KINDS, profileKindOf, type ProfileKind } from './kind.js';
import type { HeapProfile, ProfileFunction, SampleType, StackTable } from './profile.js';
import { ProtoReader, type FieldKinds } from './protobuf.js';

// Field kinds per message, indexed by field number - 1 (see protobuf.ts).
const PROFILE_FIELDS: FieldKinds = 'mmmmmsvvvvmvpvv';
const VALUE_TYPE_FIELDS: FieldKinds = 'vv';
const SAMPLE_FIELDS: FieldKinds = 'ppm';
const LABEL_FIELDS: FieldKinds = 'vvvv';
const MAPPING_FIELDS: FieldKinds = 'vvvvvvvvvv';
const LOCATION_FIELDS: FieldKinds = 'vvvmv';
const LINE_FIELDS: FieldKinds = 'vvv';
const FUNCTION_FIELDS: FieldKinds = 'vvvvv';

function malformed(detail: string): never {
  throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', detail);
}

/** The tables of pass 1: parallel number arrays rather than objects, so indexing allocates little. */
interface ProfileIndex {
  /** (type, unit) string indexes, pairwise. */
  sampleTypes: number[];
  /** Byte range of each sample's body; samples are read in pass 2. */
  sampleStart: number[];
  sampleEnd: number[];
  maxSampleBytes: number;
  fnId: number[];
  fnName: number[];
  fnFile: number[];
  locId: number[];
  /** Location i's lines (their function ids) are lineFn[locLineStart[i] .. locLineStart[i + 1]). */
  locLineStart: number[];
  lineFn: number[];
  strStart: number[];
  strEnd: number[];
  /** String index of the first mapping's build id; -1 when there is no mapping. */
  buildId: number;
  timeNanos: number;
  durationNanos: number;
  period: number;
}

/**
 * Decodes (and inflates) a Go heap profile. Same contract and output as
 * {@link decodeHeapProfile}: `assert.deepStrictEqual` holds between the two on
 * every well-formed profile; malformed input throws a HeapwatchError.
 */
export function decodeHeapProfileFast(bytes: Uint8Array, limits: DecodeLimits): HeapProfile {
  return decodeProfileFast(bytes, limits, HEAP_ONLY).profile;
}

const HEAP_ONLY: readonly ProfileKind[] = ['heap'];

/** A decoded profile and its kind (told by its sample types, kind.ts). */
export interface KindedProfile {
  kind: ProfileKind;
  profile: HeapProfile;
}

/**
 * Decodes a profile of any of `kinds` (heap, goroutine, goroutineleak). The
 * same decoder and limits as heap profiles: a goroutine profile is the same
 * protobuf with one `count` value per stack. Any other profile throws
 * HW_ERR_PROFILE_NOT_HEAP naming its sample types.
 */
export function decodeProfileFast(bytes: Uint8Array, limits: DecodeLimits, kinds: readonly ProfileKind[] = PROFILE_KINDS): KindedProfile {
  const raw = inflateProfile(bytes, limits);
  if (raw.length === 0) malformed('empty profile');
  const r = new ProtoReader(raw);
  const ix = indexProfile(r);
  checkProfileCounts({ samples: ix.sampleStart.length, locations: ix.locId.length, functions: ix.fnId.length }, limits);
  const strings = new StringTable(raw, ix.strStart, ix.strEnd);

  const sampleTypes: SampleType[] = [];
  for (let i = 0; i < ix.sampleTypes.length; i += 2) {
    const n = i / 2;
    const type = strings.get(ix.sampleTypes[i]!) ?? strings.fail(ix.sampleTypes[i]!, `sample_type[${n}].type`);
    sampleTypes.push({ type, unit: strings.get(ix.sampleTypes[i + 1]!) ?? strings.fail(ix.sampleTypes[i + 1]!, `sample_type[${n}].unit`) });
  }
  const kind = profileKindOf(sampleTypes);
  if (kind === undefined || !kinds.includes(kind)) {
    // The reference fails on a malformed sample before it looks at sample types; so do we.
    const check = new SampleReader(ix.maxSampleBytes, undefined, 0);
    for (let i = 0; i < ix.sampleStart.length; i++) check.read(r, ix.sampleStart[i]!, ix.sampleEnd[i]!);
    const also = kinds.length > 1 ? ` (reads ${kinds.join(', ')} profiles)` : '';
    throw new HeapwatchError('HW_ERR_PROFILE_NOT_HEAP', `sample types are [${sampleTypes.map((t) => t.type).join(', ')}]${also}`);
  }

  const { functions, fnById, modules } = readFunctions(ix, strings);
  const reader = new SampleReader(ix.maxSampleBytes, new LocationTable(ix, fnById), FRAMES_PER_BYTE * raw.length + 65536);
  const { stacks, totals } = internStacks(r, ix, reader, sampleTypes.length);

  const profile: HeapProfile = {
    timeMs: Math.floor(ix.timeNanos / 1e6),
    durationNanos: ix.durationNanos,
    period: ix.period,
    sampleTypes,
    functions,
    stacks,
    buildId: ix.buildId >= 0 ? (strings.get(ix.buildId) ?? strings.fail(ix.buildId, 'mapping[0].build_id')) : '',
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path)),
    totals,
  };

  return { kind, profile };
}

/** Functions deduplicated by normalised name, in file order, and the modules their filenames name (as the reference). */
function readFunctions(ix: ProfileIndex, strings: StringTable): { functions: ProfileFunction[]; fnById: IdIndex; modules: Map<string, ModuleVersion> } {
  const functions: ProfileFunction[] = [];
  const byName = new Map<string, number>();
  const fnIndex: number[] = [];
  const modules = new Map<string, ModuleVersion>();
  // Many functions share a file: parse each filename's module once (same result, same first-seen order).
  const fileSeen = new Set<number>();
  for (let i = 0; i < ix.fnId.length; i++) {
    const name = dropTypeParameters(strings.get(ix.fnName[i]!) ?? strings.fail(ix.fnName[i]!, `function ${ix.fnId[i]} name`));
    const fileIdx = ix.fnFile[i]!;
    const filename = strings.get(fileIdx) ?? strings.fail(fileIdx, `function ${ix.fnId[i]} filename`);
    let idx = byName.get(name);
    if (idx === undefined) {
      idx = functions.length;
      functions.push({ name, filename });
      byName.set(name, idx);
    }
    fnIndex.push(idx);
    if (!fileSeen.has(fileIdx)) {
      fileSeen.add(fileIdx);
      const mod = moduleFromFilename(filename);
      if (mod) modules.set(`${mod.path}@${mod.version}`, mod);
    }
  }
  return { functions, fnById: IdIndex.build(ix.fnId, fnIndex), modules };
}

/**
 * Pass 2: reads every sample, merges samples with identical frames into one
 * stack (first-seen order), and sums values per sample in file order like
 * the reference, so even sums past 2^53 round identically. Stacks go straight
 * into the column-form StackTable's growing typed arrays.
 */
function internStacks(r: ProtoReader, ix: ProfileIndex, reader: SampleReader, width: number): { stacks: StackTable; totals: number[] } {
  const totals = new Array<number>(width).fill(0);
  const nSamples = ix.sampleStart.length;
  // At most one stack per sample (a sample is at least 2 bytes, so this is
  // bounded by the profile's size). Frames and values grow with the stacks
  // actually found: sized by samples x sample types up front, a crafted
  // profile with many of both would ask for terabytes.
  const offsets = new Uint32Array(nSamples + 1);
  let values = new Float64Array(Math.min(nSamples, 1024) * width);
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
  }
  // Trimmed copies: the decoded profile is copied to the main thread, so it should hold no slack.
  return {
    stacks: { offsets: offsets.slice(0, nStacks + 1), frames: frames.slice(0, offsets[nStacks]), values: values.slice(0, nStacks * width) },
    totals,
  };
}

/** Pass 1: one walk over the top-level fields. Samples and strings are only located, not read. */
function indexProfile(r: ProtoReader): ProfileIndex {
  const ix: ProfileIndex = {
    sampleTypes: [], sampleStart: [], sampleEnd: [], maxSampleBytes: 0,
    fnId: [], fnName: [], fnFile: [], locId: [], locLineStart: [0], lineFn: [],
    strStart: [], strEnd: [], buildId: -1, timeNanos: 0, durationNanos: 0, period: 0,
  };
  let mappings = 0;
  const end = r.buf.length;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | 2: {
        const f = r.varintFields(r.lenEnd(end), VALUE_TYPE_FIELDS);
        ix.sampleTypes.push(f[1]!, f[2]!);
        break;
      }
      case (2 << 3) | 2: {
        const stop = r.lenEnd(end);
        ix.sampleStart.push(r.pos);
        ix.sampleEnd.push(stop);
        if (stop - r.pos > ix.maxSampleBytes) ix.maxSampleBytes = stop - r.pos;
        r.pos = stop;
        break;
      }
      case (3 << 3) | 2: {
        const buildId = r.varintFields(r.lenEnd(end), MAPPING_FIELDS)[6]!;
        if (mappings++ === 0) ix.buildId = buildId;
        break;
      }
      case (4 << 3) | 2: readLocation(r, r.lenEnd(end), ix); break;
      case (5 << 3) | 2: {
        const f = r.varintFields(r.lenEnd(end), FUNCTION_FIELDS);
        ix.fnId.push(f[1]!);
        ix.fnName.push(f[2]!);
        ix.fnFile.push(f[4]!);
        break;
      }
      case (6 << 3) | 2: {
        const stop = r.lenEnd(end);
        ix.strStart.push(r.pos);
        ix.strEnd.push(stop);
        r.pos = stop;
        break;
      }
      case (9 << 3) | 0: ix.timeNanos = r.varint(end); break;
      case (10 << 3) | 0: ix.durationNanos = r.varint(end); break;
      // period_type is unused, but checked as the reference decodes it.
      case (11 << 3) | 2: r.varintFields(r.lenEnd(end), VALUE_TYPE_FIELDS); break;
      case (12 << 3) | 0: ix.period = r.varint(end); break;
      default: r.skipField(tag, end, PROFILE_FIELDS);
    }
  }
  return ix;
}

function readLocation(r: ProtoReader, end: number, ix: ProfileIndex): void {
  let id = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | 0)) id = r.varint(end);
    else if (tag === ((4 << 3) | 2)) ix.lineFn.push(r.varintFields(r.lenEnd(end), LINE_FIELDS)[1]!);
    else r.skipField(tag, end, LOCATION_FIELDS);
  }
  ix.locId.push(id);
  ix.locLineStart.push(ix.lineFn.length);
}

/**
 * Locations as the sample reader needs them: id -> location index (last
 * wins, as in the reference's Map) -> a run of function indexes in `frames`,
 * innermost first, with [start, length] of each run side by side in `span`.
 */
class LocationTable {
  readonly byId: IdIndex;
  readonly span: Int32Array;
  readonly frames: Int32Array;

  /** Resolves every line's function id, failing like the reference on a missing one. */
  constructor(ix: ProfileIndex, fnById: IdIndex) {
    const n = ix.locId.length;
    this.byId = IdIndex.build(ix.locId, ix.locId.map((_, i) => i));
    this.span = new Int32Array(2 * n);
    this.frames = new Int32Array(ix.lineFn.length);
    for (let i = 0; i < n; i++) {
      const from = ix.locLineStart[i]!;
      const to = ix.locLineStart[i + 1]!;
      this.span[2 * i] = from;
      this.span[2 * i + 1] = to - from;
      for (let j = from; j < to; j++) {
        const f = fnById.get(ix.lineFn[j]!);
        if (f < 0) malformed(`location ${ix.locId[i]} names missing function ${ix.lineFn[j]}`);
        this.frames[j] = f;
      }
    }
  }
}

/**
 * Reads one sample at a time into reusable buffers: its location ids are
 * expanded to frames as they are read (no intermediate id list), its values
 * go to a Float64Array. Without a location table it only checks the wire format.
 */
class SampleReader {
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

/**
 * Lazy, cached string-table lookups. A profile without any string_table entry
 * reads as [''], like pprof-format's default table. Non-ASCII strings go
 * through TextDecoder (replacement characters, leading BOM dropped), as the
 * reference does; ASCII takes Buffer's faster latin1 path, which is identical for it.
 */
class StringTable {
  private readonly size: number;
  private readonly cache: (string | undefined)[] = [];
  private readonly buf: Buffer;
  private readonly utf8 = new TextDecoder();

  constructor(
    private readonly raw: Uint8Array,
    private readonly start: number[],
    private readonly end: number[],
  ) {
    this.size = Math.max(start.length, 1);
    this.buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  /** The string at `idx`, or undefined when `idx` is past the table (the caller names the field in `fail`). */
  get(idx: number): string | undefined {
    if (!(idx >= 0 && idx < this.size)) return undefined;
    let s = this.cache[idx];
    if (s === undefined) {
      if (this.start.length === 0) return '';
      const start = this.start[idx]!;
      const end = this.end[idx]!;
      const raw = this.raw;
      let i = start;
      while (i < end && raw[i]! < 0x80) i++;
      s = i === end ? this.buf.toString('latin1', start, end) : this.utf8.decode(raw.subarray(start, end));
      this.cache[idx] = s;
    }
    return s;
  }

  fail(idx: number, what: string): never {
    malformed(`${what}: string index ${idx} past the table (${this.size})`);
  }
}

/**
 * Id -> index with last-wins semantics (the reference fills a Map in file
 * order). Dense Int32Array when ids are small non-negative integers, as
 * Go's 1..n ids are; a Map otherwise. Keys are the same JS numbers the
 * reference uses, so even ids past 2^53 collide (or not) identically.
 */
class IdIndex {
  private constructor(
    private readonly dense: Int32Array | undefined,
    private readonly map: Map<number, number> | undefined,
  ) {}

  static build(ids: number[], values: number[]): IdIndex {
    let max = -1;
    let small = true;
    for (const id of ids) {
      if (!(id >= 0 && id <= 4 * ids.length + 1024)) {
        small = false;
        break;
      }
      if (id > max) max = id;
    }
    if (small) {
      const dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.length; i++) dense[ids[i]!] = values[i]!;
      return new IdIndex(dense, undefined);
    }
    const map = new Map<number, number>();
    for (let i = 0; i < ids.length; i++) map.set(ids[i]!, values[i]!);
    return new IdIndex(undefined, map);
  }

  /** The index for `id`, or -1. */
  get(id: number): number {
    const dense = this.dense;
    if (dense) return id >= 0 && id < dense.length ? dense[id]! : -1;
    return this.map!.get(id) ?? -1;
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
