/**
 * Structure-aware fuzz cases: pprof-format objects decoded from real profiles
 * (or empty) and edited field by field, frameless samples, and the
 * frame-amplification profile.
 */
import fc from 'fast-check';
import { Function as PFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { gz } from './byte-cases.js';
import type { Fixture } from './fixtures.js';

export type Num = number | bigint;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Ids and indexes: small, just past the end, 0, negative, int64 extremes. */
const idArb: fc.Arbitrary<Num> = fc.oneof(
  fc.integer({ min: 0, max: 2000 }),
  fc.constantFrom<Num>(0, -1, 2 ** 28, 2 ** 31, 2n ** 32n, 2n ** 53n, INT64_MAX, INT64_MIN, 2n ** 64n - 1n),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);
/** Sample values: ordinary, negative, past 2^28 (bigint on decode), int64 extremes. */
const valueArb: fc.Arbitrary<Num> = fc.oneof(
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.constantFrom<Num>(0, -1, 2 ** 28, 2 ** 28 - 1, 2n ** 53n + 1n, INT64_MAX, INT64_MIN, -(2n ** 32n)),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);

type StrField = 'fn.name' | 'fn.filename' | 'fn.systemName' | 'sampleType.type' | 'sampleType.unit' | 'mapping.buildId' | 'mapping.filename' | 'periodType.type';

type StructOp =
  | { op: 'lineFunctionId'; which: number; id: Num }
  | { op: 'sampleLocationId'; which: number; at: number; id: Num }
  | { op: 'locationMappingId'; which: number; id: Num }
  | { op: 'stringIndex'; field: StrField; which: number; past: number; huge: Num | null }
  | { op: 'value'; which: number; col: number; value: Num }
  | { op: 'valueCount'; which: number; delta: number }
  | { op: 'repeatLocation'; which: number; times: number }
  | { op: 'manyLines'; which: number; lines: number }
  | { op: 'deepStack'; which: number; depth: number }
  | { op: 'duplicateId'; kind: 'function' | 'location' | 'mapping'; which: number }
  | { op: 'setId'; kind: 'function' | 'location' | 'mapping'; which: number; id: Num }
  | { op: 'emptyStack'; which: number }
  | { op: 'emptyLines'; which: number }
  | { op: 'dropSampleType'; which: number }
  | { op: 'clear'; what: 'sample' | 'location' | 'function' | 'mapping' | 'stringTable' | 'sampleType' }
  | { op: 'header'; field: 'timeNanos' | 'durationNanos' | 'period' | 'defaultSampleType' | 'dropFrames'; value: Num }
  | { op: 'rename'; which: number; name: string };

const w = fc.nat();
const structOpArb: fc.Arbitrary<StructOp> = fc.oneof(
  fc.record({ op: fc.constant('lineFunctionId' as const), which: w, id: idArb }),
  fc.record({ op: fc.constant('sampleLocationId' as const), which: w, at: w, id: idArb }),
  fc.record({ op: fc.constant('locationMappingId' as const), which: w, id: idArb }),
  fc.record({
    op: fc.constant('stringIndex' as const),
    field: fc.constantFrom<StrField>('fn.name', 'fn.filename', 'fn.systemName', 'sampleType.type', 'sampleType.unit', 'mapping.buildId', 'mapping.filename', 'periodType.type'),
    which: w,
    past: fc.nat({ max: 3 }),
    huge: fc.option(fc.constantFrom<Num>(-1, 2 ** 31, 2n ** 40n, INT64_MAX, INT64_MIN)),
  }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('value' as const), which: w, col: w, value: valueArb }) },
  fc.record({ op: fc.constant('valueCount' as const), which: w, delta: fc.integer({ min: -4, max: 3 }) }),
  fc.record({ op: fc.constant('repeatLocation' as const), which: w, times: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ op: fc.constant('manyLines' as const), which: w, lines: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('deepStack' as const), which: w, depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(10_000)) }),
  fc.record({ op: fc.constant('duplicateId' as const), kind: fc.constantFrom('function' as const, 'location' as const, 'mapping' as const), which: w }),
  fc.record({ op: fc.constant('setId' as const), kind: fc.constantFrom('function' as const, 'location' as const, 'mapping' as const), which: w, id: idArb }),
  fc.record({ op: fc.constant('emptyStack' as const), which: w }),
  fc.record({ op: fc.constant('emptyLines' as const), which: w }),
  fc.record({ op: fc.constant('dropSampleType' as const), which: w }),
  fc.record({ op: fc.constant('clear' as const), what: fc.constantFrom('sample' as const, 'location' as const, 'function' as const, 'mapping' as const, 'stringTable' as const, 'sampleType' as const) }),
  fc.record({
    op: fc.constant('header' as const),
    field: fc.constantFrom('timeNanos' as const, 'durationNanos' as const, 'period' as const, 'defaultSampleType' as const, 'dropFrames' as const),
    value: valueArb,
  }),
  fc.record({
    op: fc.constant('rename' as const),
    which: w,
    name: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '[', ']', 'a[b', 'x]]y', 'p.F[[[', 'p.M[...].Get', 'main.main', '\u0000', '\uD800')),
  }),
);

export interface StructCase {
  /** -1: an empty Profile; -2: only the inuse sample types; else a small fixture. */
  base: number;
  ops: StructOp[];
  gzip: boolean;
}
export const structArb = (n: number): fc.Arbitrary<StructCase> =>
  fc.record({
    base: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(-1, -2) }, { weight: 6, arbitrary: fc.nat({ max: n - 1 }) }),
    ops: fc.array(structOpArb, { minLength: 0, maxLength: 6 }),
    gzip: fc.boolean(),
  });

function pick<T>(list: T[], which: number): T | undefined {
  return list.length === 0 ? undefined : list[which % list.length];
}

function baseProfile(fixtures: Fixture[], base: number): Profile {
  if (base >= 0) return Profile.decode(fixtures[base % fixtures.length]!.raw);
  const st = new StringTable();
  if (base === -1) return new Profile({ stringTable: st });
  return new Profile({
    stringTable: st,
    sampleType: [new ValueType({ type: st.dedup('inuse_objects'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('inuse_space'), unit: st.dedup('bytes') })],
  });
}

function applyStructOp(p: Profile, o: StructOp): void {
  const strings = p.stringTable.strings;
  switch (o.op) {
    case 'lineFunctionId': {
      const lines = p.location.flatMap((l) => l.line);
      const ln = pick(lines, o.which);
      if (ln) ln.functionId = o.id;
      break;
    }
    case 'sampleLocationId': {
      const s = pick(p.sample, o.which);
      if (s) s.locationId.splice(o.at % (s.locationId.length + 1), 0, o.id);
      break;
    }
    case 'locationMappingId': {
      const l = pick(p.location, o.which);
      if (l) l.mappingId = o.id;
      break;
    }
    case 'stringIndex': {
      const idx: Num = o.huge ?? strings.length + o.past;
      const [kind, field] = o.field.split('.') as [string, string];
      const target =
        kind === 'fn' ? pick(p.function, o.which) : kind === 'sampleType' ? pick(p.sampleType, o.which) : kind === 'mapping' ? pick(p.mapping, o.which) : p.periodType;
      if (target) (target as unknown as Record<string, Num>)[field === 'buildId' ? 'buildId' : field] = idx;
      break;
    }
    case 'value': {
      const s = pick(p.sample, o.which);
      if (s && s.value.length > 0) s.value[o.col % s.value.length] = o.value;
      break;
    }
    case 'valueCount': {
      const s = pick(p.sample, o.which);
      if (!s) break;
      if (o.delta < 0) s.value.splice(Math.max(0, s.value.length + o.delta));
      else for (let i = 0; i < o.delta; i++) s.value.push(i + 1);
      break;
    }
    case 'repeatLocation': {
      const s = pick(p.sample, o.which);
      const l = pick(p.location, o.which);
      if (s && l) for (let i = 0; i < o.times; i++) s.locationId.push(l.id);
      break;
    }
    case 'manyLines': {
      const l = pick(p.location, o.which);
      const f = pick(p.function, o.which);
      if (l) l.line = Array.from({ length: o.lines }, (_, i) => new Line({ functionId: f ? f.id : 1, line: i }));
      break;
    }
    case 'deepStack': {
      const s = pick(p.sample, o.which);
      if (!s || p.function.length === 0) break;
      let next = p.location.reduce((m, l) => Math.max(m, Number(l.id)), 0) + 1;
      for (let i = 0; i < o.depth; i++) {
        const id = next++;
        p.location.push(new Location({ id, line: [new Line({ functionId: p.function[i % p.function.length]!.id, line: i })] }));
        s.locationId.push(id);
      }
      break;
    }
    case 'duplicateId': {
      const list: { id: Num }[] = o.kind === 'function' ? p.function : o.kind === 'location' ? p.location : p.mapping;
      if (list.length >= 2) list[(o.which + 1) % list.length]!.id = list[o.which % list.length]!.id;
      break;
    }
    case 'setId': {
      const list: { id: Num }[] = o.kind === 'function' ? p.function : o.kind === 'location' ? p.location : p.mapping;
      const x = pick(list, o.which);
      if (x) x.id = o.id;
      break;
    }
    case 'emptyStack': {
      const s = pick(p.sample, o.which);
      if (s) s.locationId = [];
      break;
    }
    case 'emptyLines': {
      const l = pick(p.location, o.which);
      if (l) l.line = [];
      break;
    }
    case 'dropSampleType':
      if (p.sampleType.length > 0) p.sampleType.splice(o.which % p.sampleType.length, 1);
      break;
    case 'clear':
      if (o.what === 'stringTable') p.stringTable.strings = [''];
      else if (o.what === 'sample') p.sample = [];
      else if (o.what === 'location') p.location = [];
      else if (o.what === 'function') p.function = [];
      else if (o.what === 'mapping') p.mapping = [];
      else p.sampleType = [];
      break;
    case 'header':
      p[o.field] = o.value;
      break;
    case 'rename': {
      const f = pick(p.function, o.which);
      if (f) f.name = p.stringTable.dedup(o.name);
      break;
    }
  }
}

export function buildStruct(fixtures: Fixture[], c: StructCase): Uint8Array {
  const p = baseProfile(fixtures, c.base);
  for (const o of c.ops) applyStructOp(p, o);
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}

export interface FramelessCase {
  base: number;
  which: number;
  /** No location ids at all, or only locations without lines (unsymbolized). */
  how: 'no-locations' | 'no-lines';
  gzip: boolean;
}
export const framelessArb = (n: number): fc.Arbitrary<FramelessCase> =>
  fc.record({ base: fc.nat({ max: n - 1 }), which: fc.nat(), how: fc.constantFrom('no-locations' as const, 'no-lines' as const), gzip: fc.boolean() });
/** A real profile where one sample has no frames: its value counts in the totals but in no function's flat. */
export function buildFrameless(fixtures: Fixture[], c: FramelessCase): Uint8Array {
  const p = baseProfile(fixtures, c.base);
  const s = pick(p.sample, c.which);
  if (s) {
    if (c.how === 'no-locations') s.locationId = [];
    else {
      const id = p.location.reduce((m, l) => Math.max(m, Number(l.id)), 0) + 1;
      p.location.push(new Location({ id, address: 0x401000 }));
      s.locationId = [id];
    }
  }
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}

export interface AmpCase {
  lines: number;
  repeats: number;
  gzip: boolean;
}
/** Worst case 6000 x 6000 = 3.6e7 decoded frames from a ~50 KB input. */
const ampSize = fc.oneof(fc.integer({ min: 1, max: 6000 }), fc.integer({ min: 4000, max: 6000 }));
export const ampArb: fc.Arbitrary<AmpCase> = fc.record({
  lines: ampSize,
  repeats: ampSize,
  gzip: fc.boolean(),
});
export function buildAmplification(c: AmpCase): Uint8Array {
  const st = new StringTable();
  const p = new Profile({
    stringTable: st,
    sampleType: [new ValueType({ type: st.dedup('inuse_objects'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('inuse_space'), unit: st.dedup('bytes') })],
    function: [new PFunction({ id: 1, name: st.dedup('main.leak'), filename: st.dedup('main.go') })],
    mapping: [new Mapping({ id: 1, filename: st.dedup('/bin/app'), buildId: st.dedup('abc') })],
    location: [new Location({ id: 1, mappingId: 1, line: Array.from({ length: c.lines }, (_, i) => new Line({ functionId: 1, line: i + 1 })) })],
    sample: [new Sample({ locationId: new Array<number>(c.repeats).fill(1), value: [1, 4096] })],
  });
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}
