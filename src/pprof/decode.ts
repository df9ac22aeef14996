/**
 * Bytes in, HeapProfile out, with pprof-format. This is the reference
 * decoder: production decodes with fast-decode.ts (a hand-written reader,
 * 5-12x faster), and a differential test holds the two to identical output
 * over every real profile in the fixtures. Pure: no I/O, no logging. Every failure is a
 * HeapwatchError with a code, never an untyped exception, because this runs
 * on untrusted bytes from the network.
 */
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { HeapwatchError } from '../errors.js';
import { dropTypeParameters, moduleFromFilename, type ModuleVersion } from './names.js';
import type { HeapProfile, ProfileFunction, ProfileStack } from './profile.js';

export interface DecodeLimits {
  /** Cap on the decompressed profile size; larger input is rejected as a gzip bomb. */
  maxDecompressedBytes: number;
}

/**
 * Expanded frames allowed per byte of the inflated profile. A tiny crafted
 * profile (one location with thousands of inline lines, listed thousands of
 * times by one sample) would otherwise expand to gigabytes of frames. Real Go
 * profiles use well under one frame per byte.
 */
export const FRAMES_PER_BYTE = 16;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Gunzips when needed, under a hard output cap, so a gzip bomb costs bounded memory. */
export function inflateProfile(bytes: Uint8Array, limits: DecodeLimits): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      return gunzipSync(bytes, { maxOutputLength: limits.maxDecompressedBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${limits.maxDecompressedBytes} bytes`, { cause: err });
      }
      throw new HeapwatchError('HW_ERR_PROFILE_GZIP', (err as Error).message, { cause: err });
    }
  }
  if (looksLikeText(bytes)) {
    const head = Buffer.from(bytes.subarray(0, 60)).toString('utf8').replace(/\s+/g, ' ').trim();
    throw new HeapwatchError('HW_ERR_NOT_PPROF', `body starts with text "${head}"`);
  }
  if (bytes.length > limits.maxDecompressedBytes) {
    throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${limits.maxDecompressedBytes} bytes`);
  }
  return bytes;
}

/** An HTML error page or a text message served where a profile was expected. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    const printable = b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f);
    if (!printable) return false;
  }
  return true;
}

/** pprof-format returns bigints for values of 2^28 and more, and negative int64s as huge unsigned bigints. */
function num(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

/** Decodes (and inflates) a Go heap profile. */
export function decodeHeapProfile(bytes: Uint8Array, limits: DecodeLimits): HeapProfile {
  const raw = inflateProfile(bytes, limits);
  if (raw.length === 0) throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', 'empty profile');
  let p: Profile;
  try {
    p = Profile.decode(raw);
  } catch (err) {
    throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `protobuf decode failed: ${(err as Error).message}`, { cause: err });
  }
  return normalise(p, FRAMES_PER_BYTE * raw.length + 65536);
}

function normalise(p: Profile, frameBudget: number): HeapProfile {
  const strings = p.stringTable.strings;
  const str = (idx: number | bigint, what: string): string => {
    const i = num(idx);
    const s = strings[i];
    if (s === undefined || i < 0) throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `${what}: string index ${i} past the table (${strings.length})`);
    return s;
  };

  const sampleTypes = p.sampleType.map((t, i) => ({ type: str(t.type, `sample_type[${i}].type`), unit: str(t.unit, `sample_type[${i}].unit`) }));
  if (!sampleTypes.some((t) => t.type === 'inuse_space') || !sampleTypes.some((t) => t.type === 'inuse_objects')) {
    throw new HeapwatchError('HW_ERR_PROFILE_NOT_HEAP', `sample types are [${sampleTypes.map((t) => t.type).join(', ')}]`);
  }

  // Function ids -> index in our deduplicated (by normalised name) table.
  const functions: ProfileFunction[] = [];
  const byName = new Map<string, number>();
  const fnIndexById = new Map<number, number>();
  const modules = new Map<string, ModuleVersion>();
  for (const f of p.function) {
    const name = dropTypeParameters(str(f.name, `function ${num(f.id)} name`));
    const filename = str(f.filename, `function ${num(f.id)} filename`);
    let idx = byName.get(name);
    if (idx === undefined) {
      idx = functions.length;
      functions.push({ name, filename });
      byName.set(name, idx);
    }
    fnIndexById.set(num(f.id), idx);
    const mod = moduleFromFilename(filename);
    if (mod) modules.set(`${mod.path}@${mod.version}`, mod);
  }

  // Location id -> frames, innermost first: Line[0] is the inlined callee.
  const framesByLocation = new Map<number, number[]>();
  for (const loc of p.location) {
    const frames: number[] = [];
    for (const line of loc.line) {
      const fid = num(line.functionId);
      const idx = fnIndexById.get(fid);
      if (idx === undefined) throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `location ${num(loc.id)} names missing function ${fid}`);
      frames.push(idx);
    }
    framesByLocation.set(num(loc.id), frames);
  }

  const width = sampleTypes.length;
  const totals = new Array<number>(width).fill(0);
  const stacks: ProfileStack[] = [];
  const stackByKey = new Map<string, ProfileStack>();
  for (const s of p.sample) {
    if (s.value.length !== width) {
      throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `sample has ${s.value.length} values for ${width} sample types`);
    }
    const frames: number[] = [];
    for (const lid of s.locationId) {
      const locFrames = framesByLocation.get(num(lid));
      if (!locFrames) throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `sample names missing location ${num(lid)}`);
      frameBudget -= locFrames.length;
      if (frameBudget < 0) throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `samples expand to more than ${FRAMES_PER_BYTE} frames per profile byte`);
      for (const f of locFrames) frames.push(f);
    }
    const key = frames.join(',');
    let stack = stackByKey.get(key);
    if (!stack) {
      stack = { frames, values: new Array<number>(width).fill(0) };
      stackByKey.set(key, stack);
      stacks.push(stack);
    }
    for (let i = 0; i < width; i++) {
      const v = num(s.value[i]!);
      stack.values[i]! += v;
      totals[i]! += v;
    }
  }

  const mainMapping = p.mapping[0];
  return {
    timeMs: Math.floor(num(p.timeNanos) / 1e6),
    durationNanos: num(p.durationNanos),
    period: num(p.period),
    sampleTypes,
    functions,
    stacks,
    buildId: mainMapping ? str(mainMapping.buildId, 'mapping[0].build_id') : '',
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path)),
    totals,
  };
}
