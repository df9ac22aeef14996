/**
 * A diff of two profiles, written as a pprof profile: the samples of
 * `profile` plus the samples of `base` with negated values, as
 * `go tool pprof -diff_base` builds it, so `go tool pprof -top diff.pb.gz`
 * shows what grew. Heap profiles keep only the inuse sample types; goroutine
 * and goroutineleak profiles their one count. Both must be the same kind. Pure.
 */
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { HeapwatchError } from '../errors.js';
import { inflateProfile, type DecodeLimits } from './inflate.js';
import { decodeProfileFast } from './fast-decode.js';
import type { ProfileKind } from './kind.js';

/** The sample types a diff keeps per kind; the last is the default sample type. */
const KEPT: Record<ProfileKind, string[]> = { heap: ['inuse_objects', 'inuse_space'], goroutine: ['goroutine'], goroutineleak: ['goroutineleak'] };

type Num = number | bigint;
const num = (v: Num): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v);

export function diffProfiles(baseBytes: Uint8Array, profileBytes: Uint8Array, limits: DecodeLimits): Uint8Array {
  const decode = (b: Uint8Array, which: string): Profile => {
    try {
      return Profile.decode(inflateProfile(b, limits));
    } catch (err) {
      if (err instanceof HeapwatchError) throw err;
      throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `${which}: ${(err as Error).message}`, { cause: err });
    }
  };
  // Validate both first (ids, string indexes, sample types): the diff below
  // copies ids across and must never write a profile that names missing ones.
  const baseKind = decodeProfileFast(baseBytes, limits).kind;
  const kind = decodeProfileFast(profileBytes, limits).kind;
  if (baseKind !== kind) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `cannot diff a ${kind} profile against a ${baseKind} profile`);
  const INUSE = KEPT[kind];
  const base = decode(baseBytes, 'base');
  const prof = decode(profileBytes, 'profile');
  const st = new StringTable();
  const out = new Profile({ stringTable: st });
  const str = (p: Profile, i: Num): number => st.dedup(p.stringTable.strings[num(i)] ?? '');

  const typeIndex = (p: Profile): number[] =>
    INUSE.map((t) => {
      const i = p.sampleType.findIndex((v) => p.stringTable.strings[num(v.type)] === t);
      if (i < 0) throw new HeapwatchError('HW_ERR_PROFILE_NOT_HEAP', `no ${t} sample type`);
      return i;
    });
  const profIdx = typeIndex(prof);
  const baseIdx = typeIndex(base);
  out.sampleType = INUSE.map((t, k) => new ValueType({ type: st.dedup(t), unit: str(prof, prof.sampleType[profIdx[k]!]!.unit) }));
  out.timeNanos = prof.timeNanos;
  out.durationNanos = prof.durationNanos;
  out.period = prof.period;
  if (prof.periodType) out.periodType = new ValueType({ type: str(prof, prof.periodType.type), unit: str(prof, prof.periodType.unit) });
  out.defaultSampleType = st.dedup(INUSE.at(-1)!);

  let nextFn = 1;
  let nextLoc = 1;
  let nextMap = 1;
  const copy = (p: Profile, idx: number[], sign: number, isBase: boolean): void => {
    const fnIds = new Map<number, number>();
    for (const f of p.function) {
      const id = nextFn++;
      fnIds.set(num(f.id), id);
      out.function.push(new PFunction({ id, name: str(p, f.name), systemName: str(p, f.systemName), filename: str(p, f.filename), startLine: f.startLine }));
    }
    const mapIds = new Map<number, number>();
    for (const m of p.mapping) {
      const id = nextMap++;
      mapIds.set(num(m.id), id);
      out.mapping.push(
        new Mapping({ id, memoryStart: m.memoryStart, memoryLimit: m.memoryLimit, fileOffset: m.fileOffset, filename: str(p, m.filename), buildId: str(p, m.buildId), hasFunctions: m.hasFunctions }),
      );
    }
    const locIds = new Map<number, number>();
    for (const l of p.location) {
      const id = nextLoc++;
      locIds.set(num(l.id), id);
      out.location.push(
        new Location({
          id,
          mappingId: mapIds.get(num(l.mappingId)) ?? 0,
          address: l.address,
          line: l.line.map((ln) => new Line({ functionId: fnIds.get(num(ln.functionId)) ?? 0, line: ln.line })),
        }),
      );
    }
    for (const s of p.sample) {
      const values = idx.map((i) => sign * num(s.value[i] ?? 0));
      if (values.every((v) => v === 0)) continue;
      const label = isBase ? [new Label({ key: st.dedup('pprof::base'), str: st.dedup('true') })] : [];
      out.sample.push(new Sample({ locationId: s.locationId.map((l) => locIds.get(num(l)) ?? 0), value: values, label }));
    }
  };
  copy(prof, profIdx, 1, false);
  copy(base, baseIdx, -1, true);
  return gzipSync(out.encode());
}
