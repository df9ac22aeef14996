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
 * The passes live in fast-decode-index.ts (pass 1) and fast-decode-samples.ts
 * (pass 2), their lookup tables in fast-decode-tables.ts.
 *
 * On malformed wire data this decoder is stricter than pprof-format, which
 * silently clips truncated fields; fast-decode.test.ts lists the differences.
 */
import { HeapwatchError } from '../errors.js';
import { indexProfile, malformed, type ProfileIndex } from './fast-decode-index.js';
import { internStacks, SampleReader } from './fast-decode-samples.js';
import { IdIndex, LocationTable, StringTable } from './fast-decode-tables.js';
// FRAMES_PER_BYTE: the reference's cap on frames expanded from samples; sharing it keeps the same inputs rejected.
import { checkProfileCounts, FRAMES_PER_BYTE, inflateProfile, type DecodeLimits } from './inflate.js';
import { dropTypeParameters, moduleFromFilename, type ModuleVersion } from './names.js';
import { PROFILE_KINDS, profileKindOf, type ProfileKind } from './kind.js';
import { sampleColumns, type HeapProfile, type ProfileFunction, type SampleType } from './profile.js';
import { ProtoReader } from './protobuf.js';

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
  const { stacks, totals } = internStacks(r, ix, reader, sampleTypes.length, sampleColumns({ sampleTypes }));

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
