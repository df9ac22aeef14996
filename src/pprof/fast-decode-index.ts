/**
 * Pass 1 of the fast decoder: one walk over the top-level message of an
 * inflated heap profile. The small tables (sample types, functions,
 * locations, first mapping) become flat number arrays; samples and strings
 * are only located, and read later (fast-decode-samples.ts, fast-decode-tables.ts).
 */
import { HeapwatchError } from '../errors.js';
import { ProtoReader, type FieldKinds } from './protobuf.js';

// Field kinds per message, indexed by field number - 1 (see protobuf.ts).
const PROFILE_FIELDS: FieldKinds = 'mmmmmsvvvvmvpvv';
const VALUE_TYPE_FIELDS: FieldKinds = 'vv';
const MAPPING_FIELDS: FieldKinds = 'vvvvvvvvvv';
const LOCATION_FIELDS: FieldKinds = 'vvvmv';
const LINE_FIELDS: FieldKinds = 'vvv';
const FUNCTION_FIELDS: FieldKinds = 'vvvvv';

/** Throws the decoder's one error for bad wire data or dangling references. */
export function malformed(detail: string): never {
  throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', detail);
}

/** The tables of pass 1: parallel number arrays rather than objects, so indexing allocates little. */
export interface ProfileIndex {
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

/** Pass 1: one walk over the top-level fields. Samples and strings are only located, not read. */
export function indexProfile(r: ProtoReader): ProfileIndex {
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

