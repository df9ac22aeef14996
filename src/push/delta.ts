/**
 * pyroscope-go (godeltaprof) pushes heap profiles whose alloc_space and
 * alloc_objects are deltas since its previous upload, next to inuse_space
 * and inuse_objects as they are. The rest of heapwatch reads alloc_* as a
 * process's running totals, as Go's /debug/pprof/heap serves them: a total
 * that goes down is a restart, and per-stack alloc deltas are computed from
 * them. Fed deltas, every push would look like a restart. So the alloc
 * sample types of a delta profile are removed before it is stored: detection
 * runs on inuse_* (which is what it uses anyway), and the allocation context
 * of a finding is left out for such pushes. Cumulative profiles (Alloy's
 * `memory`, a plain Go heap profile) keep their alloc_* and their context.
 *
 * The rewrite walks the protobuf with @bufbuild/protobuf's wire reader and
 * writer: only sample_type and each sample's values change, every other field
 * is copied byte for byte.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { HeapwatchError } from '../errors.js';
import { isGzip } from '../pprof/inflate.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

const ALLOC_TYPES = new Set(['alloc_space', 'alloc_objects']);

// google.perftools.profiles.Profile field numbers.
const PROFILE_SAMPLE_TYPE = 1;
const PROFILE_SAMPLE = 2;
const PROFILE_STRING_TABLE = 6;
const VALUE_TYPE_TYPE = 1;
const SAMPLE_VALUE = 2;

/**
 * The profile without its alloc_* sample types, gzipped again (stored raw
 * profiles stay `.pb.gz` for `go tool pprof`). The inflated size is capped at
 * `maxDecompressedBytes` while inflating, as for a scraped profile; a profile
 * with no alloc types is returned as it is.
 */
export async function withoutAllocSampleTypes(body: Uint8Array, maxDecompressedBytes: number): Promise<Uint8Array> {
  const raw = isGzip(body) ? await inflate(body, maxDecompressedBytes) : body;
  let rewritten: Uint8Array | undefined;
  try {
    rewritten = rewrite(raw);
  } catch (err) {
    if (err instanceof HeapwatchError) throw err;
    throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', (err as Error).message, { cause: err });
  }
  if (!rewritten) return body;
  // Level 1: these are re-compressed on every push; size matters less than CPU here.
  return new Uint8Array(await gzipAsync(rewritten, { level: 1 }));
}

async function inflate(body: Uint8Array, max: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await gunzipAsync(body, { maxOutputLength: max }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${max} bytes`, { cause: err });
    }
    throw new HeapwatchError('HW_ERR_PROFILE_GZIP', (err as Error).message, { cause: err });
  }
}

/** Undefined when there is nothing to remove. */
function rewrite(profile: Uint8Array): Uint8Array | undefined {
  // Pass 1: the string table and each sample type's name index.
  const strings: string[] = [];
  const typeNameIndex: number[] = [];
  const r = new BinaryReader(profile);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === PROFILE_STRING_TABLE && wire === WireType.LengthDelimited) strings.push(r.string());
    else if (field === PROFILE_SAMPLE_TYPE && wire === WireType.LengthDelimited) typeNameIndex.push(valueTypeName(r.bytes()));
    else r.skip(wire, field);
  }
  const drop = typeNameIndex.map((i) => ALLOC_TYPES.has(strings[i] ?? ''));
  if (!drop.includes(true)) return undefined;
  if (drop.every(Boolean)) throw new HeapwatchError('HW_ERR_PROFILE_NOT_HEAP', 'only alloc_* sample types, no inuse_*');

  // Pass 2: copy, leaving out the dropped sample types and their values.
  const w = new BinaryWriter();
  const r2 = new BinaryReader(profile);
  let typeIndex = 0;
  while (r2.pos < r2.len) {
    const [field, wire] = r2.tag();
    if (field === PROFILE_SAMPLE_TYPE && wire === WireType.LengthDelimited) {
      const entry = r2.bytes();
      if (!drop[typeIndex++]) w.tag(field, wire).bytes(entry);
    } else if (field === PROFILE_SAMPLE && wire === WireType.LengthDelimited) {
      w.tag(field, wire).bytes(rewriteSample(r2.bytes(), drop));
    } else {
      w.tag(field, wire).raw(r2.skip(wire, field));
    }
  }
  return w.finish();
}

function valueTypeName(entry: Uint8Array): number {
  const r = new BinaryReader(entry);
  let name = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === VALUE_TYPE_TYPE && wire === WireType.Varint) name = Number(r.int64());
    else r.skip(wire, field);
  }
  return name;
}

function rewriteSample(sample: Uint8Array, drop: readonly boolean[]): Uint8Array {
  const r = new BinaryReader(sample);
  const values: (bigint | string)[] = [];
  const w = new BinaryWriter();
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === SAMPLE_VALUE && wire === WireType.LengthDelimited) {
      const packed = new BinaryReader(r.bytes());
      while (packed.pos < packed.len) values.push(packed.int64());
    } else if (field === SAMPLE_VALUE && wire === WireType.Varint) {
      values.push(r.int64());
    } else {
      w.tag(field, wire).raw(r.skip(wire, field));
    }
  }
  if (values.length !== drop.length) {
    throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `a sample has ${values.length} values for ${drop.length} sample types`);
  }
  w.tag(SAMPLE_VALUE, WireType.LengthDelimited).fork();
  values.forEach((v, i) => {
    if (!drop[i]) w.int64(v);
  });
  w.join();
  return w.finish();
}
