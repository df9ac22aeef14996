/**
 * A Go heap profile (.pb.gz) rebuilt from stored per-stack state, for the
 * finding page's downloads when no raw profile was kept for that scrape.
 * It has the four heap sample types, one location per function, and the
 * profile's time, so `go tool pprof` reads it like the original (without
 * line numbers and addresses, which the store does not keep).
 */
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { StackState } from '../store/history-reader.js';

export interface RebuildInput {
  state: StackState;
  frames: ReadonlyMap<number, readonly number[]>;
  functions: ReadonlyMap<number, { name: string; filename: string }>;
  timeMs: number;
  /** The sampling rate; Go's default when unknown. */
  period?: number;
}

export function rebuildHeapProfile(input: RebuildInput): Uint8Array {
  const st = new StringTable();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const locationOf = new Map<number, number>();
  const location = (fnId: number): number => {
    let loc = locationOf.get(fnId);
    if (loc === undefined) {
      const fn = input.functions.get(fnId) ?? { name: `#${fnId}`, filename: '' };
      const id = functions.length + 1;
      functions.push(new PFunction({ id, name: st.dedup(fn.name), systemName: st.dedup(fn.name), filename: st.dedup(fn.filename) }));
      locations.push(new Location({ id, line: [new Line({ functionId: id, line: 0 })] }));
      loc = id;
      locationOf.set(fnId, loc);
    }
    return loc;
  };
  const samples: Sample[] = [];
  for (const [stackId, [b, o, ab, ao]] of input.state) {
    const frames = input.frames.get(stackId);
    if (!frames || frames.length === 0) continue;
    const values = [ao, ab, o, b].map((v) => Math.max(0, Math.round(v)));
    if (values.every((v) => v === 0)) continue;
    samples.push(new Sample({ locationId: frames.map(location), value: values }));
  }
  const profile = new Profile({
    sampleType: ['alloc_objects:count', 'alloc_space:bytes', 'inuse_objects:count', 'inuse_space:bytes'].map((t) => {
      const [type, unit] = t.split(':');
      return new ValueType({ type: st.dedup(type!), unit: st.dedup(unit!) });
    }),
    sample: samples,
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: BigInt(Math.round(input.timeMs)) * 1_000_000n,
    periodType: new ValueType({ type: st.dedup('space'), unit: st.dedup('bytes') }),
    period: input.period ?? 524288,
    defaultSampleType: st.dedup('inuse_space'),
  });
  return gzipSync(profile.encode());
}
