/**
 * Bytes in, HeapProfile out, with pprof-format. This is the reference
 * decoder: production decodes with fast-decode.ts (a hand-written reader,
 * 5-12x faster), and a differential test holds the two to identical output
 * over every real profile in the fixtures. Pure: no I/O, no logging. Every failure is a
 * HeapwatchError with a code, never an untyped exception, because this runs
 * on untrusted bytes from the network.
 */
import { Profile } from 'pprof-format';
import { HeapwatchError } from '../errors.js';
import { dropTypeParameters, moduleFromFilename, type ModuleVersion } from './names.js';
import { checkProfileCounts, FRAMES_PER_BYTE, inflateProfile, type DecodeLimits } from './inflate.js';
import { addLargeInuse, packStacks, sampleColumns, type HeapProfile, type ProfileFunction } from './profile.js';


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
  checkProfileCounts({ samples: p.sample.length, locations: p.location.length, functions: p.function.length }, limits);
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
  const columns = sampleColumns({ sampleTypes });
  if (columns.inuse_space < 0 || columns.inuse_objects < 0) {
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
  const stacks: { frames: number[]; values: number[] }[] = [];
  const stackByKey = new Map<string, { frames: number[]; values: number[]; index: number }>();
  let large = new Float64Array(2 * Math.max(1, p.sample.length));
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
      stack = { frames, values: new Array<number>(width).fill(0), index: stacks.length };
      stackByKey.set(key, stack);
      stacks.push(stack);
    }
    for (let i = 0; i < width; i++) {
      const v = num(s.value[i]!);
      stack.values[i]! += v;
      totals[i]! += v;
    }
    addLargeInuse(large, stack.index, num(s.value[columns.inuse_space]!), num(s.value[columns.inuse_objects]!));
  }
  large = large.slice(0, 2 * stacks.length);

  const mainMapping = p.mapping[0];
  return {
    timeMs: Math.floor(num(p.timeNanos) / 1e6),
    durationNanos: num(p.durationNanos),
    period: num(p.period),
    sampleTypes,
    functions,
    stacks: packStacks(stacks, width, large),
    buildId: mainMapping ? str(mainMapping.buildId, 'mapping[0].build_id') : '',
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path)),
    totals,
  };
}
